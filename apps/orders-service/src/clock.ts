/** The service's only source of time: tests inject a clock they can move. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
