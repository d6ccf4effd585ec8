/** The service's only source of time: tests inject a clock they can move. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export const addSeconds = (date: Date, seconds: number) =>
  new Date(date.getTime() + seconds * 1000);

export const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
