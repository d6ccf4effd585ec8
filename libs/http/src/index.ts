export { requireContentType } from './content-type';
export { isDependencyUnavailable } from './dependency-unavailable';
export { bodyParserProblem, errorHandler, notFoundHandler, sendError } from './error-handler';
export {
  badRequest,
  conflict,
  type ErrorResponse,
  forbidden,
  isRespondable,
  notFound,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPES_URL,
  problemType,
  type ProblemDetails,
  ProblemError,
  type RespondableError,
  serviceUnavailable,
} from './errors';
export {
  databaseReadiness,
  operationalRoutes,
  type RawQueryClient,
  type ReadinessCheck,
} from './health';
export { createLogger, type Logger, type LoggerOptions } from './logger';
export { createMetricsRegistry, httpMetrics } from './metrics';
export { requestContext } from './request-context';
export {
  type Clock,
  type Closeable,
  type ServiceDependencies,
  type ServiceRuntime,
  shutdownSwitch,
} from './service';
export { type PeriodicTaskOptions, startPeriodicTask } from './periodic-task';
export {
  forgetQueryCompilerSource,
  forgetQueryCompilerSourceOnceConnected,
} from './prisma-query-compiler';
export { securityHeaders } from './security-headers';
export { createServiceApp, operationsApp, servedBy, type ServiceAppOptions } from './service-app';
export {
  listen,
  type RunningServer,
  SHUTDOWN_TIMEOUT_MS,
  shutdownOnSignals,
  type ShutdownOptions,
} from './server';
export { type FieldError, validate } from './validate';
