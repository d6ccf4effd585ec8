// Prints this container's replica number as `docker compose ps` shows it (`2` for
// `orders-service-2`), or nothing when it has none (a plain `docker run`, Kubernetes): the
// entrypoint then keeps the hostname. The services name themselves `<service>-<REPLICA_ID>` in
// `X-Served-By` and logs. Run by infra/docker/entrypoint.sh as `node replica-name.cjs <service>`.
//
// Docker's DNS answers a reverse (PTR) query for a container's address with
// `<container name>.<network>`, and Compose names a service's containers
// `<project>-<service>-<n>` (v2) or `<project>_<service>_<n>` (v1). The container cannot read its
// own labels, so the name is the one place it can learn its number.
'use strict';
const { Resolver } = require('node:dns').promises;
const { networkInterfaces } = require('node:os');

/** `<project>-orders-service-2.<network>` or `<project>_orders-service_2.<network>` -> `2`. */
function replicaNumber(ptrName, service) {
  const escaped = service.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`(?:^|[-_])${escaped}[-_](\\d+)(?:\\.|$)`).exec(ptrName);
  return match?.[1];
}

function ownAddresses() {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && address.family === 'IPv4' && !address.internal)
    .map((address) => address.address);
}

async function main(service) {
  if (!service) return;
  // One quick try: outside Docker there is no such record, and start-up must not wait for it.
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  for (const address of ownAddresses()) {
    const arpa = `${address.split('.').reverse().join('.')}.in-addr.arpa`;
    const names = await resolver.resolvePtr(arpa).catch(() => []);
    for (const name of names) {
      const number = replicaNumber(name, service);
      if (number) return process.stdout.write(number);
    }
  }
}

if (require.main === module) {
  main(process.argv[2]).catch(() => undefined);
}

module.exports = { replicaNumber };
