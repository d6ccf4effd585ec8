import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { K8sObject } from './manifests';

/** A Deployment or StatefulSet: what runs pods. */
export interface Workload extends K8sObject {
  kind: 'Deployment' | 'StatefulSet';
  spec: {
    replicas?: number;
    selector: { matchLabels?: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: IPodSpec };
  };
}

export type Container = IContainer;

export function workloads(objects: readonly K8sObject[]): Workload[] {
  return objects.filter((o): o is Workload => o.kind === 'Deployment' || o.kind === 'StatefulSet');
}

export function podSpec(workload: Workload): IPodSpec {
  return workload.spec.template.spec;
}

export function podLabels(workload: Workload): Record<string, string> {
  return workload.spec.template.metadata.labels;
}

/** Every container of a workload's pods, init containers included, with where it is. */
export function containersOf(
  workload: Workload,
): Array<{ where: string; container: Container; init: boolean }> {
  const spec = podSpec(workload);
  const where = (c: Container) => `${workload.kind}/${workload.metadata.name} ${c.name}`;
  return [
    ...(spec.initContainers ?? []).map((container) => ({
      where: where(container),
      container,
      init: true,
    })),
    ...spec.containers.map((container) => ({ where: where(container), container, init: false })),
  ];
}

/** The one main container of a service's Deployment (named like the Deployment). */
export function mainContainer(workload: Workload): Container {
  const container = podSpec(workload).containers.find((c) => c.name === workload.metadata.name);
  if (!container) throw new Error(`${workload.metadata.name} has no container of its own name`);
  return container;
}

/** `matchLabels` selects pods with these labels. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** The container port a Service's or probe's port refers to (by name or number), if declared. */
export function declaredPort(container: Container, port: string | number): number | undefined {
  return container.ports?.find((p) => p.name === port || p.containerPort === port)?.containerPort;
}

/** Kubernetes quantities as numbers: CPU in cores, memory in bytes. */
export function quantity(value: string | number | undefined): number {
  if (value === undefined) return NaN;
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|k|M|G)?$/.exec(value);
  if (!match) throw new Error(`unsupported quantity ${value}`);
  const factor: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
  };
  return Number(match[1]) * (match[2] ? factor[match[2]]! : 1);
}

export const MiB = 2 ** 20;
