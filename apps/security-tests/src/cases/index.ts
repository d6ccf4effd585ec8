import { algorithmCases, controlCases } from './algorithms';
import { claimCases } from './claims';
import { encodingCases, oversizedCases } from './encoding';
import { foreignKeyCases } from './foreign-keys';
import { keySelectionCases } from './key-selection';
import { confusionCases, schemeCases } from './schemes';
import type { SecurityCase } from './security-case';
import { signatureCases, tamperedCases } from './signatures';

/** Every case, in the order of docs/security.md. */
export const SECURITY_CASES: readonly SecurityCase[] = [
  ...controlCases,
  ...algorithmCases,
  ...signatureCases,
  ...tamperedCases,
  ...foreignKeyCases,
  ...claimCases,
  ...keySelectionCases,
  ...encodingCases,
  ...oversizedCases,
  ...schemeCases,
  ...confusionCases,
];
