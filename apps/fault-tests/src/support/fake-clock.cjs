// Preloaded with NODE_OPTIONS=--require into one replica to shift its clock by
// FAKE_CLOCK_OFFSET_MS (may be negative): Date.now() and `new Date()` read the shifted time,
// everything else about Date is untouched. The services have no clock setting by design; this
// stands in for a host whose NTP is off.
const offset = Number(process.env.FAKE_CLOCK_OFFSET_MS ?? '0');
if (!Number.isFinite(offset)) throw new Error('FAKE_CLOCK_OFFSET_MS must be a number');

const RealDate = Date;
const realNow = RealDate.now.bind(RealDate);
const shiftedNow = () => realNow() + offset;

globalThis.Date = new Proxy(RealDate, {
  construct(target, args, newTarget) {
    return Reflect.construct(target, args.length === 0 ? [shiftedNow()] : args, newTarget);
  },
  apply() {
    return new RealDate(shiftedNow()).toString();
  },
  get(target, property, receiver) {
    return property === 'now' ? shiftedNow : Reflect.get(target, property, receiver);
  },
});
