/** The host agent client's public entry (DESIGN §3). */
export { AgentClient, DEFAULT_RETRY, shouldRetry, transportTimeoutMs } from './client.ts';
export type { AgentCallOptions, AgentClientOptions, AgentLogger, AgentOperationName, AgentParams, AgentResult, RetrySettings, TransportSource } from './client.ts';
export { BootstrapRunner, loadBootstrapScripts, BOOTSTRAP_DIRECTORY } from './bootstrap.ts';
export type { BootstrapParams, BootstrapResult, BootstrapRunnerOptions, BootstrapScriptName } from './bootstrap.ts';
export { agentCommand, bootstrapLoaderCommand, encodedCommand, normaliseInstallDirectory, AGENT_ENTRY_POINT, DEFAULT_INSTALL_DIRECTORY, COMMAND_LINE_LIMIT } from './command.ts';
export { AGENT_PROTOCOL, AgentResponseReader, buildRequest, truncateForDiagnosis } from './protocol.ts';
export type { AgentFailure, AgentLog, AgentLogLevel, AgentOutcome, AgentRequest } from './protocol.ts';
export { DEFAULT_BREAKER, isHostFailure, type BreakerSettings, type BreakerState } from './breaker.ts';
export { DEFAULT_LIMITS, type ConcurrencyLimits } from './limits.ts';
export { createContractValidator, sharedContractValidator, type ContractValidator } from './validation.ts';
export type * from './types.generated.ts';
