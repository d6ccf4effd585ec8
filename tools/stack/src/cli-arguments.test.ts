import { parseReplicas } from './cli-arguments';

describe('parseReplicas', () => {
  it('reads repeated and comma-separated counts', () => {
    expect(parseReplicas(['orders=4', 'profile=1,auth=3'])).toEqual({
      orders: 4,
      profile: 1,
      auth: 3,
    });
  });

  it.each(['payments=2', 'orders=0', 'orders=17', 'orders', 'orders=two'])(
    'rejects %s with the usage',
    (value) => {
      expect(() => parseReplicas([value])).toThrow(
        /expected <service>=<1..16>[\s\S]*usage: npm run stack/,
      );
    },
  );
});
