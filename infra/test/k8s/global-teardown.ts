export default function globalTeardown(): void {
  (globalThis as { disposeK8sRenders?: () => void }).disposeK8sRenders?.();
}
