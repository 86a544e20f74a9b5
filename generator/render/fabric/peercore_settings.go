package fabric

import (
	"maps"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// settings is one level of core.yaml. Keys are Fabric's own spelling; viper matches
// them case-insensitively.
type settings = map[string]any

// peerSettings is the core.yaml a party's peers read, for the network's Fabric
// release line. It holds the values of the image's default (sampleconfig/core.yaml of
// Fabric v2.5.16 and v3.1.5) for what the peer reads, except:
//
//   - vm: left out, so vm.endpoint is empty and the peer neither builds chaincode with
//     Docker nor registers the "docker" health checker that fails in a pod
//     (internal/peer/node/start.go: `if coreConfig.VMEndpoint != ""` … RegisterChecker).
//     chaincode.builder, pull, golang, java and node configure that Docker builder only
//     (core/container/dockercontroller) and go with it.
//   - peer.BCCSP.PKCS11: read only when BCCSP.Default is PKCS11 (bccsp/factory).
//   - metrics.statsd: read only with metrics.provider statsd (core/operations/system.go).
//   - peer.profile: enabled false, its zero value (core/peer/config.go).
//   - what differs per node — peer.id, peer.address, peer.listenAddress,
//     peer.chaincodeListenAddress, peer.gossip.bootstrap, peer.gossip.externalEndpoint,
//     operations.listenAddress — and the CouchDB password: the container's CORE_*
//     variables set them (PeerEnv), as they override any key (cmd/peer/main.go
//     AutomaticEnv).
//
// Where a key also has a CORE_* variable, the value here is the same, so the file
// alone describes the peer the StatefulSet runs.
func peerSettings(version string, party model.Party) settings {
	peer := settings{
		"networkId":         "dev",
		"addressAutoDetect": false,
		"localMspId":        party.MSPID,
		"localMspType":      "bccsp",
		"mspConfigPath":     MSPDir,
		"fileSystemPath":    DataPath,
		// internal/pkg/gateway/config/options.go: defaults where unset.
		"gateway": settings{"enabled": true, "endorsementTimeout": "30s", "broadcastTimeout": "30s", "dialTimeout": "2m"},
		// core/peer/config.go GetServerConfig, GetClientConfig: defaults where unset.
		"keepalive": settings{
			"interval": "7200s", "timeout": "20s", "minInterval": "60s",
			"client":         settings{"interval": "60s", "timeout": "20s"},
			"deliveryClient": settings{"interval": "60s", "timeout": "20s"},
		},
		"gossip": gossipSettings(version),
		"tls": settings{
			"enabled":            true,
			"clientAuthRequired": false,
			"cert":               settings{"file": TLSCertFile},
			"key":                settings{"file": TLSKeyFile},
			"rootcert":           settings{"file": TLSCAFile},
			"clientRootCAs":      settings{"files": []any{TLSCAFile}},
		},
		"authentication": settings{"timewindow": "15m"},
		// bccsp/factory: SW with SHA2-256 is also the default where unset.
		"BCCSP":  settings{"Default": "SW", "SW": settings{"Hash": "SHA2", "Security": 256, "FileKeyStore": settings{}}},
		"client": settings{"connTimeout": "3s"},
		"deliveryclient": settings{
			"blockGossipEnabled":          true,
			"reconnectTotalTimeThreshold": "3600s",
			"connTimeout":                 "3s",
			"reConnectBackoffThreshold":   "3600s",
		},
		// core/handlers/library/config.go reads these without defaults; a missing
		// escc or vscc leaves the peer unable to endorse or validate.
		"handlers": settings{
			"authFilters": []any{settings{"name": "DefaultAuth"}, settings{"name": "ExpirationCheck"}},
			"decorators":  []any{settings{"name": "DefaultDecorator"}},
			"endorsers":   settings{"escc": settings{"name": "DefaultEndorsement"}},
			"validators":  settings{"vscc": settings{"name": "DefaultValidation"}},
		},
		// core/peer/config.go: GetBool and GetInt, no defaults; zero turns discovery off.
		"discovery": settings{
			"enabled": true, "authCacheEnabled": true, "authCacheMaxSize": 1000,
			"authCachePurgeRetentionRatio": 0.75, "orgMembersAllowedAccess": false,
		},
		"limits":         settings{"concurrency": settings{"endorserService": 2500, "deliverService": 2500, "gatewayService": 500}},
		"maxRecvMsgSize": 104857600,
		"maxSendMsgSize": 104857600,
	}
	chaincode := settings{
		// internal/peer/node/start.go panics "VMEndpoint not set and no ExternalBuilders
		// defined"; the peer image copies the ccaas builder to this path
		// (images/peer/Dockerfile).
		"externalBuilders": []any{settings{
			"name":                 CCaaSBuilderName,
			"path":                 CCaaSBuilderPath,
			"propagateEnvironment": []any{"CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG"},
		}},
		// core/chaincode/config.go: GetDuration, no defaults (startuptimeout has a floor).
		"installTimeout": "300s",
		"startuptimeout": "300s",
		"executetimeout": "30s",
		"mode":           "net",
		"keepalive":      0,
		// core/chaincode/config.go SCCAllowlist: a system chaincode not listed is not
		// deployed (internal/peer/node/start.go).
		"system":  settings{"_lifecycle": "enable", "cscc": "enable", "lscc": "enable", "qscc": "enable"},
		"logging": settings{"level": "info", "shim": "warning", "format": "%{color}%{time:2006-01-02 15:04:05.000 MST} [%{module}] %{shortfunc} -> %{level:.4s} %{id:03x}%{color:reset} %{message}"},
	}
	// internal/peer/node/config.go ledgerConfig: the CouchDB connection and cache are
	// read without defaults.
	ledger := settings{
		"state": settings{
			"stateDatabase":   "CouchDB",
			"totalQueryLimit": 100000,
			"couchDBConfig": settings{
				"couchDBAddress":        couchDBAddress,
				"username":              CouchDBUser,
				"maxRetries":            3,
				"maxRetriesOnStartup":   10,
				"requestTimeout":        "35s",
				"internalQueryLimit":    1000,
				"maxBatchUpdateSize":    1000,
				"createGlobalChangesDB": false,
				"cacheSize":             64,
			},
		},
		"history": settings{"enableHistoryDatabase": true},
		"pvtdataStore": settings{
			"collElgProcMaxDbBatchSize": 5000, "collElgProcDbBatchesInterval": 1000,
			"deprioritizedDataReconcilerInterval": "60m", "purgeInterval": 100, "purgedKeyAuditLogging": true,
		},
		"snapshots": settings{"rootDir": DataPath + "/snapshots"},
	}
	operations := settings{"tls": settings{"enabled": false, "clientAuthRequired": false}}
	if version != model.Fabric25 {
		fabric3(peer, chaincode)
	}
	return settings{
		"peer":       peer,
		"chaincode":  chaincode,
		"ledger":     ledger,
		"operations": operations,
		"metrics":    settings{"provider": "prometheus"},
	}
}

// gossipSettings: gossip/service/config.go and internal/peer/node/start.go read most
// of these with defaults (util.GetDurationOrDefault, GetIntOrDefault); they are kept
// at the image's values. useLeaderElection and orgLeader have none, and with both
// false no peer of the org pulls blocks from the orderers.
func gossipSettings(version string) settings {
	retention := 1000
	if version != model.Fabric25 {
		retention = 20000
	}
	return settings{
		"useLeaderElection":          false,
		"orgLeader":                  true,
		"membershipTrackerInterval":  "5s",
		"maxBlockCountToStore":       10,
		"maxPropagationBurstLatency": "10ms",
		"maxPropagationBurstSize":    10,
		"propagateIterations":        1,
		"propagatePeerNum":           3,
		"pullInterval":               "4s",
		"pullPeerNum":                3,
		"requestStateInfoInterval":   "4s",
		"publishStateInfoInterval":   "4s",
		"publishCertPeriod":          "10s",
		"skipBlockVerification":      false,
		"dialTimeout":                "3s",
		"connTimeout":                "2s",
		"recvBuffSize":               20,
		"sendBuffSize":               200,
		"digestWaitTime":             "1s",
		"requestWaitTime":            "1500ms",
		"responseWaitTime":           "2s",
		"aliveTimeInterval":          "5s",
		"aliveExpirationTimeout":     "25s",
		"reconnectInterval":          "25s",
		"maxConnectionAttempts":      120,
		"msgExpirationFactor":        20,
		"election": settings{
			"startupGracePeriod": "15s", "membershipSampleInterval": "1s",
			"leaderAliveThreshold": "10s", "leaderElectionDuration": "5s",
		},
		"pvtData": settings{
			"pullRetryThreshold":                         "60s",
			"transientstoreMaxBlockRetention":            retention,
			"pushAckTimeout":                             "3s",
			"btlPullMargin":                              10,
			"reconcileBatchSize":                         10,
			"reconcileSleepInterval":                     "1m",
			"reconciliationEnabled":                      true,
			"skipPullingInvalidTransactionsDuringCommit": false,
			"implicitCollectionDisseminationPolicy":      settings{"requiredPeerCount": 0, "maxPeerCount": 1},
		},
		"state": settings{
			"enabled": false, "checkInterval": "10s", "responseTimeout": "3s",
			"batchSize": 10, "blockBufferSize": 20, "maxRetries": 3,
		},
	}
}

// fabric3 adds what Fabric v3.1.5's sampleconfig/core.yaml has beyond v2.5.16's: the
// TimeWindowCheck auth filter (core/handlers/library/library.go; a v2.5.16 peer
// panics on a filter its HandlerLibrary lacks, core/handlers/library/registry.go),
// the BFT delivery client (core/deliverservice/config.go) and the chaincode runtime
// parameters (core/chaincode/config.go reads the batch sizes without defaults).
func fabric3(peer, chaincode settings) {
	handlers := maps.Clone(peer["handlers"].(settings))
	handlers["authFilters"] = append(handlers["authFilters"].([]any), settings{"name": "TimeWindowCheck"})
	peer["handlers"] = handlers
	peer["deliveryclient"] = settings{
		"blockGossipEnabled":          false,
		"reconnectTotalTimeThreshold": "3600s",
		"connTimeout":                 "3s",
		"reConnectBackoffThreshold":   "3600s",
		"minimalReconnectInterval":    "100ms",
		"policy":                      "cluster",
		"blockCensorshipTimeoutKey":   "30s",
	}
	chaincode["runtimeParams"] = settings{
		"useWriteBatch": true, "maxSizeWriteBatch": 1000,
		"useGetMultipleKeys": true, "maxSizeGetMultipleKeys": 1000,
	}
}
