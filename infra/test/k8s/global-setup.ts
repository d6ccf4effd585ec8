// Renders the Kubernetes overlays once per run of the infra tests (see manifests.ts).
import { renderForTests } from './manifests';

export default async function globalSetup(): Promise<void> {
  const dispose = await renderForTests();
  (globalThis as { disposeK8sRenders?: () => void }).disposeK8sRenders = dispose;
}
