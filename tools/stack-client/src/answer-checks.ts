/** Whether a body shows a stack trace or a path inside the deployment: what errors must not leak. */
export function looksLikeStackTrace(text: string): boolean {
  return /\n\s+at [^\n]+:\d+:\d+/.test(text) || /node_modules|\/dist\/apps\//.test(text);
}

/**
 * Every member RFC 8414 §2 defines for authorization server metadata; a document may use no
 * other name but registered ones.
 */
export const RFC_8414_MEMBERS: readonly string[] = [
  'issuer',
  'authorization_endpoint',
  'token_endpoint',
  'jwks_uri',
  'registration_endpoint',
  'scopes_supported',
  'response_types_supported',
  'response_modes_supported',
  'grant_types_supported',
  'token_endpoint_auth_methods_supported',
  'token_endpoint_auth_signing_alg_values_supported',
  'service_documentation',
  'ui_locales_supported',
  'op_policy_uri',
  'op_tos_uri',
  'revocation_endpoint',
  'revocation_endpoint_auth_methods_supported',
  'revocation_endpoint_auth_signing_alg_values_supported',
  'introspection_endpoint',
  'introspection_endpoint_auth_methods_supported',
  'introspection_endpoint_auth_signing_alg_values_supported',
  'code_challenge_methods_supported',
];
