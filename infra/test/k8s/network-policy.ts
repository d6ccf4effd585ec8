import type { K8sObject } from './manifests';

/**
 * A small evaluator of Kubernetes NetworkPolicies (networking.k8s.io/v1 semantics), so tests can
 * ask "may this pod open a connection to that one on this port" of the rendered policies.
 * Connections are TCP; a pod with no policy of a direction selecting it is open in that direction.
 */

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface PolicyPort {
  protocol?: string;
  port?: number | string;
}

interface Rule {
  from?: PolicyPeer[];
  to?: PolicyPeer[];
  ports?: PolicyPort[];
}

export interface NetworkPolicy extends K8sObject {
  metadata: K8sObject['metadata'] & { namespace: string };
  spec: {
    podSelector: LabelSelector;
    policyTypes: Array<'Ingress' | 'Egress'>;
    ingress?: Rule[];
    egress?: Rule[];
  };
}

/** One end of a connection: a pod (namespace, labels, named ports) or an address. */
export interface Peer {
  namespace?: string;
  namespaceLabels?: Record<string, string>;
  labels?: Record<string, string>;
  /** Named container ports of a pod, for policies that name ports. */
  ports?: Record<string, number>;
  ip?: string;
}

export function matches(selector: LabelSelector, labels: Record<string, string> = {}): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key]!);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]!);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        throw new Error(`unknown selector operator ${operator}`);
    }
  });
  return byLabel && byExpression;
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToNumber(base) / size) * size;
  return ipToNumber(ip) >= start && ipToNumber(ip) < start + size;
}

function namespaceLabelsOf(peer: Peer): Record<string, string> {
  return peer.namespaceLabels ?? { 'kubernetes.io/metadata.name': peer.namespace ?? '' };
}

/** Whether a policy peer entry, in a policy of `policyNamespace`, covers this peer. */
function peerMatches(entry: PolicyPeer, peer: Peer, policyNamespace: string): boolean {
  if (entry.ipBlock) {
    return (
      peer.ip !== undefined &&
      inCidr(peer.ip, entry.ipBlock.cidr) &&
      !(entry.ipBlock.except ?? []).some((cidr) => inCidr(peer.ip!, cidr))
    );
  }
  if (peer.ip !== undefined) return false;
  const namespaceOk = entry.namespaceSelector
    ? matches(entry.namespaceSelector, namespaceLabelsOf(peer))
    : peer.namespace === policyNamespace;
  const podOk = entry.podSelector ? matches(entry.podSelector, peer.labels) : true;
  return namespaceOk && podOk;
}

function portMatches(ports: PolicyPort[] | undefined, port: number, destination: Peer): boolean {
  if (!ports?.length) return true;
  return ports.some(
    (p) =>
      (p.protocol ?? 'TCP') === 'TCP' &&
      (p.port === undefined ||
        p.port === port ||
        (typeof p.port === 'string' && destination.ports?.[p.port] === port)),
  );
}

function selecting(policies: readonly NetworkPolicy[], pod: Peer, type: 'Ingress' | 'Egress') {
  return policies.filter(
    (p) =>
      pod.ip === undefined &&
      p.metadata.namespace === pod.namespace &&
      p.spec.policyTypes.includes(type) &&
      matches(p.spec.podSelector, pod.labels),
  );
}

/** Whether `from` may open a TCP connection to `to` on `port` under these policies. */
export function allowed(
  policies: readonly NetworkPolicy[],
  from: Peer,
  to: Peer,
  port: number,
): boolean {
  const egress = selecting(policies, from, 'Egress');
  const egressOk =
    egress.length === 0 ||
    egress.some((p) =>
      (p.spec.egress ?? []).some(
        (rule) =>
          (!rule.to?.length ||
            rule.to.some((peer) => peerMatches(peer, to, p.metadata.namespace))) &&
          portMatches(rule.ports, port, to),
      ),
    );
  const ingress = selecting(policies, to, 'Ingress');
  const ingressOk =
    ingress.length === 0 ||
    ingress.some((p) =>
      (p.spec.ingress ?? []).some(
        (rule) =>
          (!rule.from?.length ||
            rule.from.some((peer) => peerMatches(peer, from, p.metadata.namespace))) &&
          portMatches(rule.ports, port, to),
      ),
    );
  return egressOk && ingressOk;
}
