#!/usr/bin/env node
// Prints a Hyperledger Fabric block file as JSON, decoded with Fabric's official
// protobuf definitions (npm @hyperledger/fabric-protos, pinned in package.json), so the
// tests of generator/render/fabric/configtx check flux-ledger's hand-written encoding
// against Fabric's own message types rather than against itself.
//
// The nested opaque bytes a config block carries (Payload, ConfigEnvelope, each
// ConfigValue and Policy) are decoded to their message types by key, as Fabric's
// common/channelconfig reads them. Certificates (PEM) are printed as text, other bytes
// as hex. Map keys are sorted so the output is stable.
//
// usage: fabric-block-json <block file>
//        fabric-block-json <envelope file> --envelope
'use strict';

const fs = require('fs');
const { common, msp, orderer, peer } = require('@hyperledger/fabric-protos');

const hex = (u8) => Buffer.from(u8).toString('hex');
const text = (u8) => Buffer.from(u8).toString('utf8');

function sortedMap(map, fn) {
  const out = {};
  const keys = [];
  map.forEach((_, k) => keys.push(k));
  for (const k of keys.sort()) out[k] = fn(map.get(k), k);
  return out;
}

function block(b) {
  const h = b.getHeader();
  const data = b.getData().getDataList_asU8();
  const metadata = b.getMetadata().getMetadataList_asU8();
  return {
    header: { number: h.getNumber(), previousHash: hex(h.getPreviousHash_asU8()), dataHash: hex(h.getDataHash_asU8()) },
    data: data.map((d) => ({ raw: hex(d), envelope: envelope(common.Envelope.deserializeBinary(d)) })),
    metadata: metadata.map((m, i) => blockMetadata(m, i)),
  };
}

// Slots follow common.BlockMetadataIndex: SIGNATURES (0) holds an
// OrdererBlockMetadata, LAST_CONFIG (1) a LastConfig, each inside a Metadata.
function blockMetadata(raw, index) {
  const out = { index, raw: hex(raw) };
  if (raw.length === 0) return out;
  const md = common.Metadata.deserializeBinary(raw);
  out.signatures = md.getSignaturesList().length;
  if (index === common.BlockMetadataIndex.SIGNATURES) {
    const obm = common.OrdererBlockMetadata.deserializeBinary(md.getValue_asU8());
    out.ordererBlockMetadata = {
      lastConfig: obm.hasLastConfig() ? { index: obm.getLastConfig().getIndex() } : null,
      consenterMetadata: hex(obm.getConsenterMetadata_asU8()),
    };
  } else if (index === common.BlockMetadataIndex.LAST_CONFIG) {
    out.lastConfig = { index: common.LastConfig.deserializeBinary(md.getValue_asU8()).getIndex() };
  }
  return out;
}

function envelope(env) {
  const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
  const header = payload.getHeader();
  const ch = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  const sh = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
  const ts = ch.getTimestamp();
  const out = {
    signature: hex(env.getSignature_asU8()),
    channelHeader: {
      type: ch.getType(),
      version: ch.getVersion(),
      timestamp: ts ? { seconds: ts.getSeconds(), nanos: ts.getNanos() } : null,
      channelId: ch.getChannelId(),
      txId: ch.getTxId(),
      epoch: ch.getEpoch(),
      extension: hex(ch.getExtension_asU8()),
      tlsCertHash: hex(ch.getTlsCertHash_asU8()),
    },
    signatureHeader: { creator: hex(sh.getCreator_asU8()), nonce: hex(sh.getNonce_asU8()) },
  };
  if (ch.getType() === common.HeaderType.CONFIG_UPDATE) {
    const cue = common.ConfigUpdateEnvelope.deserializeBinary(payload.getData_asU8());
    const cu = common.ConfigUpdate.deserializeBinary(cue.getConfigUpdate_asU8());
    out.configUpdateEnvelope = {
      signatures: cue.getSignaturesList().length,
      configUpdate: {
        channelId: cu.getChannelId(),
        readSet: cu.hasReadSet() ? group(cu.getReadSet()) : null,
        writeSet: cu.hasWriteSet() ? group(cu.getWriteSet()) : null,
        isolatedData: cu.getIsolatedDataMap().getLength(),
      },
    };
  }
  if (ch.getType() === common.HeaderType.CONFIG) {
    const ce = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8());
    out.configEnvelope = {
      hasLastUpdate: ce.hasLastUpdate(),
      config: { sequence: ce.getConfig().getSequence(), channelGroup: group(ce.getConfig().getChannelGroup()) },
    };
  }
  return out;
}

function group(g) {
  return {
    version: g.getVersion(),
    modPolicy: g.getModPolicy(),
    groups: sortedMap(g.getGroupsMap(), group),
    values: sortedMap(g.getValuesMap(), (v, k) => ({
      version: v.getVersion(),
      modPolicy: v.getModPolicy(),
      hasValue: v.getValue_asU8().length > 0,
      value: value(k, v.getValue_asU8()),
    })),
    policies: sortedMap(g.getPoliciesMap(), (p) => ({
      version: p.getVersion(),
      modPolicy: p.getModPolicy(),
      policy: p.hasPolicy() ? policy(p.getPolicy()) : null,
    })),
  };
}

function policy(p) {
  const out = { type: p.getType() };
  const v = p.getValue_asU8();
  if (p.getType() === common.Policy.PolicyType.IMPLICIT_META) {
    const imp = common.ImplicitMetaPolicy.deserializeBinary(v);
    out.implicitMeta = { subPolicy: imp.getSubPolicy(), rule: imp.getRule() };
  } else if (p.getType() === common.Policy.PolicyType.SIGNATURE) {
    const env = common.SignaturePolicyEnvelope.deserializeBinary(v);
    out.signature = {
      version: env.getVersion(),
      rule: signaturePolicy(env.getRule()),
      identities: env.getIdentitiesList().map(principal),
    };
  }
  return out;
}

function signaturePolicy(sp) {
  if (sp.hasSignedBy()) return { signedBy: sp.getSignedBy() };
  const n = sp.getNOutOf();
  return { nOutOf: { n: n.getN(), rules: n.getRulesList().map(signaturePolicy) } };
}

function principal(p) {
  const out = { classification: p.getPrincipalClassification() };
  if (p.getPrincipalClassification() === msp.MSPPrincipal.Classification.ROLE) {
    const role = msp.MSPRole.deserializeBinary(p.getPrincipal_asU8());
    out.role = { mspIdentifier: role.getMspIdentifier(), role: role.getRole() };
  } else if (p.getPrincipalClassification() === msp.MSPPrincipal.Classification.IDENTITY) {
    const id = msp.SerializedIdentity.deserializeBinary(p.getPrincipal_asU8());
    out.identity = { mspid: id.getMspid(), idBytes: text(id.getIdBytes_asU8()) };
  } else {
    out.principal = hex(p.getPrincipal_asU8());
  }
  return out;
}

function ou(o) {
  return o ? { organizationalUnitIdentifier: o.getOrganizationalUnitIdentifier(), certificate: text(o.getCertificate_asU8()) } : null;
}

function mspConfig(raw) {
  const m = msp.MSPConfig.deserializeBinary(raw);
  const out = { type: m.getType() };
  if (m.getType() !== 0) return out; // 0 = FABRIC (msp/msp.go ProviderType)
  const f = msp.FabricMSPConfig.deserializeBinary(m.getConfig_asU8());
  const cc = f.getCryptoConfig();
  const n = f.getFabricNodeOus();
  out.fabric = {
    name: f.getName(),
    rootCerts: f.getRootCertsList_asU8().map(text),
    intermediateCerts: f.getIntermediateCertsList_asU8().map(text),
    admins: f.getAdminsList_asU8().map(text),
    revocationList: f.getRevocationListList_asU8().map(text),
    hasSigningIdentity: f.hasSigningIdentity(),
    organizationalUnitIdentifiers: f.getOrganizationalUnitIdentifiersList().map(ou),
    cryptoConfig: cc ? { signatureHashFamily: cc.getSignatureHashFamily(), identityIdentifierHashFunction: cc.getIdentityIdentifierHashFunction() } : null,
    tlsRootCerts: f.getTlsRootCertsList_asU8().map(text),
    tlsIntermediateCerts: f.getTlsIntermediateCertsList_asU8().map(text),
    nodeOUs: n ? {
      enable: n.getEnable(),
      client: ou(n.getClientOuIdentifier()),
      peer: ou(n.getPeerOuIdentifier()),
      admin: ou(n.getAdminOuIdentifier()),
      orderer: ou(n.getOrdererOuIdentifier()),
    } : null,
  };
  return out;
}

function consensusType(raw) {
  const ct = orderer.ConsensusType.deserializeBinary(raw);
  const out = { type: ct.getType(), state: ct.getState() };
  const md = ct.getMetadata_asU8();
  if (ct.getType() === 'etcdraft') {
    const cm = orderer.etcdraft.ConfigMetadata.deserializeBinary(md);
    const o = cm.getOptions();
    out.etcdraft = {
      consenters: cm.getConsentersList().map((c) => ({
        host: c.getHost(),
        port: c.getPort(),
        clientTlsCert: text(c.getClientTlsCert_asU8()),
        serverTlsCert: text(c.getServerTlsCert_asU8()),
      })),
      options: o ? {
        tickInterval: o.getTickInterval(),
        electionTick: o.getElectionTick(),
        heartbeatTick: o.getHeartbeatTick(),
        maxInflightBlocks: o.getMaxInflightBlocks(),
        snapshotIntervalSize: o.getSnapshotIntervalSize(),
      } : null,
    };
  } else if (ct.getType() === 'BFT') {
    out.smartbft = orderer.smartbft.Options.deserializeBinary(md).toObject();
  } else {
    out.metadata = hex(md);
  }
  return out;
}

// Orderers (Fabric 3.x) is the BFT consenter mapping.
function orderers(raw) {
  return {
    consenterMapping: common.Orderers.deserializeBinary(raw).getConsenterMappingList().map((c) => ({
      id: c.getId(),
      host: c.getHost(),
      port: c.getPort(),
      mspId: c.getMspId(),
      identity: text(c.getIdentity_asU8()),
      clientTlsCert: text(c.getClientTlsCert_asU8()),
      serverTlsCert: text(c.getServerTlsCert_asU8()),
    })),
  };
}

const values = {
  MSP: mspConfig,
  ConsensusType: consensusType,
  Orderers: orderers,
  HashingAlgorithm: (raw) => ({ name: common.HashingAlgorithm.deserializeBinary(raw).getName() }),
  BlockDataHashingStructure: (raw) => ({ width: common.BlockDataHashingStructure.deserializeBinary(raw).getWidth() }),
  OrdererAddresses: (raw) => ({ addresses: common.OrdererAddresses.deserializeBinary(raw).getAddressesList() }),
  Endpoints: (raw) => ({ addresses: common.OrdererAddresses.deserializeBinary(raw).getAddressesList() }),
  Capabilities: (raw) => {
    const names = [];
    common.Capabilities.deserializeBinary(raw).getCapabilitiesMap().forEach((_, k) => names.push(k));
    return { capabilities: names.sort() };
  },
  BatchSize: (raw) => {
    const b = orderer.BatchSize.deserializeBinary(raw);
    return { maxMessageCount: b.getMaxMessageCount(), absoluteMaxBytes: b.getAbsoluteMaxBytes(), preferredMaxBytes: b.getPreferredMaxBytes() };
  },
  BatchTimeout: (raw) => ({ timeout: orderer.BatchTimeout.deserializeBinary(raw).getTimeout() }),
  ChannelRestrictions: (raw) => ({ maxCount: orderer.ChannelRestrictions.deserializeBinary(raw).getMaxCount() }),
  AnchorPeers: (raw) => ({
    anchorPeers: peer.AnchorPeers.deserializeBinary(raw).getAnchorPeersList().map((a) => ({ host: a.getHost(), port: a.getPort() })),
  }),
  ACLs: (raw) => ({ acls: sortedMap(peer.ACLs.deserializeBinary(raw).getAclsMap(), (r) => r.getPolicyRef()) }),
};

function value(key, raw) {
  const decode = values[key];
  return decode ? decode(raw) : { undecoded: hex(raw) };
}

const file = process.argv[2];
if (!file || (process.argv[3] !== undefined && process.argv[3] !== '--envelope')) {
  process.stderr.write('usage: fabric-block-json <block file> | <envelope file> --envelope\n');
  process.exit(2);
}
// --envelope: the file is one common.Envelope (a config update, as `peer channel
// signconfigtx -f` reads it), not a block.
const raw = new Uint8Array(fs.readFileSync(file));
const decoded = process.argv[3] === '--envelope'
  ? envelope(common.Envelope.deserializeBinary(raw))
  : block(common.Block.deserializeBinary(raw));
process.stdout.write(JSON.stringify(decoded, null, 1) + '\n');
