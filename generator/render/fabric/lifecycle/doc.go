// Package lifecycle renders what one Fabric party runs to take part in the network's
// channels and chaincodes, beside its orderers and peers (package fabric):
//
//   - a Job per orderer and channel it is a consenter of, joining it through the
//     channel participation API (osnadmin);
//   - a Job per peer and channel its party is a member of, joining it from the frozen
//     genesis block;
//   - per channel and chaincode of a member: the chaincode-as-a-service package
//     (package ccaas) in a ConfigMap, the chaincode server (Deployment and Service),
//     a Job installing the package on the party's peers, a Job approving the
//     definition for the party and, in the committing party only, a Job committing it
//     once a majority of the members approved;
//   - a NetworkPolicy letting the party's peers reach its chaincode servers;
//   - per channel of a member, in the cluster of its first peer: a read-only channel
//     observer (a CronJob, observer.go) leaving the channel's config as the chain has
//     it in its pod's termination message, for `flux-ledger status`.
//
// Every Job acts as the party's own admin with the party's own Secret (msp-admin)
// only (the observer as the party's peer, with that peer's keys), and is idempotent: its script first asks the orderer or peer whether the step
// is done, so a Job that runs again changes nothing. A Job's name carries a hash of
// everything it does, so a changed spec gives a new Job and an unchanged one keeps its
// name (a Job's pod template is immutable).
//
// Jobs are rendered only for channels whose genesis block is frozen (after
// `flux-ledger launch`): before that there is nothing to join.
package lifecycle
