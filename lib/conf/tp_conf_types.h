/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The box's configuration, as loaded from one file that dp and cp share
 * (libconfig syntax). Types only. Addresses are kept in network byte order.
 */
#ifndef TP_CONF_TYPES_H
#define TP_CONF_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#define TP_CONF_MAX_PORTS     8
#define TP_CONF_MAX_WORKERS   64
#define TP_CONF_MAX_EAL_ARGS  64
#define TP_CONF_NAME_LEN      32
#define TP_CONF_DEV_LEN       256
#define TP_CONF_MAX_RELAY     64     /* relayed addresses per family */

/* Port roles (a port may hold both). */
#define TP_ROLE_ACCESS 0x1u   /* faces clients */
#define TP_ROLE_CORE   0x2u   /* faces peers */

/* Which direction the impairment stage acts on. */
enum tp_impair_dir {
	TP_IMPAIR_RX = 1,     /* packets arriving at dp from the wire */
	TP_IMPAIR_TX = 2,     /* packets dp sends */
	TP_IMPAIR_BOTH = 3,
};

/* Fault injection for tests (the kernel here has no netem). Rates are
 * probabilities 0..1 per packet; delay holds every packet delay_us
 * (plus up to jitter_us); seeded so a run repeats. Off unless enabled. */
struct tp_conf_impair {
	bool enabled;
	enum tp_impair_dir dir;
	double loss;
	double dup;
	double reorder;
	uint32_t delay_us;
	uint32_t jitter_us;
	uint64_t seed;
};

struct tp_conf_port {
	char name[TP_CONF_NAME_LEN];  /* operator's label: "access", "core" */
	char dev[TP_CONF_DEV_LEN];    /* PCI address or vdev spec */
	uint32_t roles;               /* TP_ROLE_* */
	bool has_ip4;
	uint8_t ip4[4];
	uint8_t plen4;
	bool has_gw4;
	uint8_t gw4[4];
	bool has_ip6;
	uint8_t ip6[16];
	uint8_t plen6;
	bool has_gw6;
	uint8_t gw6[16];
	/* relay_ipv4 / relay_ipv6 as listed (only on the first core port of
	 * the family); none listed: the port's own address is the family's
	 * one relayed address (tp_conf_relay_addrs() gives the effective set). */
	uint8_t nrelay4;
	uint8_t nrelay6;
	uint8_t relay4[TP_CONF_MAX_RELAY][4];
	uint8_t relay6[TP_CONF_MAX_RELAY][16];
	uint16_t mtu;                 /* IP MTU, default 1500 */
	uint16_t vlan;                /* 802.1Q VLAN id, 0 = untagged */
	uint16_t mss_clamp;           /* TCP MSS at most (announced and sent); 0 = none */
	bool no_tx_offload;           /* never use the NIC's TX checksums */
	struct tp_conf_impair impair;
	int line;                     /* where the port was defined */
};

struct tp_conf_dp {
	/* EAL arguments, argv[0] included ("turnpike-dp"); strings owned. */
	int eal_argc;
	char *eal_argv[TP_CONF_MAX_EAL_ARGS + 1];
	/* Worker lcores (the main lcore may be one of them). */
	unsigned int nworkers;
	unsigned int workers[TP_CONF_MAX_WORKERS];
	/* Idle back-off: a worker with nothing to do sleeps in growing steps
	 * up to this bound, in microseconds; 0 = busy poll (carrier boxes). */
	uint32_t idle_sleep_max_us;
	/* Mbufs in each worker's pool. */
	uint32_t mbufs_per_worker;
	/* Neighbour (ARP/ND) cache: entry lifetime once reachable, the
	 * re-resolution interval while unresolved, packets queued per
	 * unresolved neighbour. */
	uint32_t neigh_reachable_s;
	uint32_t neigh_retry_ms;
	uint32_t neigh_queue_max;
	/* ICMP errors dp may send per second per worker (token bucket). */
	uint32_t icmp_rate_per_s;
	/* Diagnostic UDP echo port (0 = off): answers "worker N: <payload>". */
	uint16_t diag_echo_port;
	/* Diagnostic TCP echo port (0 = off): dp's own TCP stack (dp/tcp)
	 * echoes every byte back, on the ports' own addresses. */
	uint16_t diag_tcp_echo_port;
	/* Diagnostic active open (family 0 = off): worker 0 connects at
	 * start to this address and port (retrying while refused) and runs
	 * the TCP echo on that connection. */
	uint8_t diag_tcp_connect_family;     /* 4, 6, or 0 */
	uint8_t diag_tcp_connect_addr[16];
	uint16_t diag_tcp_connect_port;
	/* TCP connections each worker's stack holds (dp/tcp's pool; an idle
	 * one costs some 450 bytes). Default 16384. */
	uint32_t tcp_max_conns;
	/* Bytes dp/tcp holds per worker over all its connections (received
	 * in and out of order, queued to send); above it new data is
	 * refused. 0: half of mbufs_per_worker times 1448. */
	uint32_t tcp_held_max;
	/* dp.tcp_reserve = { turn = 25; relay = 25; agw = 25; }: the share
	 * of tcp_max_conns (percent) kept for each use of the connection
	 * table (TURN's clients over TCP and TLS, RFC 6062's peer
	 * connections, the AGW's legs) that the others cannot take, so that
	 * a flood of one cannot starve another; a use that is not
	 * configured keeps nothing. Together at most 90. */
	uint32_t tcp_reserve_turn, tcp_reserve_relay, tcp_reserve_agw;
	/* dp/tcp against blind senders: at most one ACK per this many ms
	 * answers a connection's segments without data that are out of
	 * window, fail PAWS or want a challenge ACK (Linux's
	 * tcp_invalid_ratelimit; 0: no limit), default 500; and the
	 * challenge ACKs a worker sends a second (RFC 5961 §7; each
	 * second's budget drawn from [n/2, 3n/2)), default 1000. */
	uint32_t tcp_invalid_ratelimit_ms;
	uint32_t tcp_challenge_acks;
	/* RFC 5482's user timeout (Linux's TCP_USER_TIMEOUT), seconds: a
	 * connection whose oldest data stays unacknowledged this long, or
	 * whose closed window goes unanswered this long, is reset. Default
	 * 900 (Linux's tcp_retries2 = 15 gives up after 924.6 s), 0: none
	 * (retries alone; zero-window probes for ever) */
	uint32_t tcp_user_timeout_s;
	/* The same for a connection its application closed (data or FIN
	 * still to deliver), answered probes or not (Linux's
	 * tcp_orphan_retries): what it holds counts against
	 * dp.tcp_held_max. Default 60, 0: the user timeout's rule */
	uint32_t tcp_orphan_timeout_s;
	unsigned int nports;
	struct tp_conf_port ports[TP_CONF_MAX_PORTS];
};

/*
 * cp.quota_user when the file does not set it: a tenth of quota_total, at
 * least 1. RFC 8656 §7.2 step 10 puts the quota per username; unlimited
 * (coturn's default), one credential, leaked or shared, could take every
 * allocation of the box. A tenth stops that and scales with the box, while
 * a credential shared by many clients (a static user; a REST username is
 * one session's, a handful of allocations) still gets thousands on a
 * default box (10,000 of 100,000). Operators who want no limit write 0.
 */
#define TP_CONF_QUOTA_USER_DEF(total) ((total) / 10u > 0 ? (total) / 10u : 1u)

#define TP_CONF_MAX_TCP_LISTEN 4
#define TP_CONF_MAX_USERS    64
#define TP_CONF_MAX_SECRETS  8
#define TP_CONF_SECRET_FILES 8   /* files holding secrets that are checked */
#define TP_CONF_MAX_PREFIXES 64
#define TP_CONF_MAX_ALTERNATES 8
#define TP_CONF_STR_LEN      256

/*
 * TCP keepalive for one use of dp/tcp (turn.tcp_keepalive, agw.keepalive:
 * { idle = 120; interval = 30; count = 4; }, seconds): after idle seconds
 * without a segment from the peer and nothing of ours unacknowledged, a
 * probe every interval; count unanswered in a row reset the connection.
 * idle 0: none.
 */
struct tp_conf_keepalive {
	uint32_t idle_s, interval_s, count;
};

/*
 * The segment dp and cp share (group "ipc"; lib/ipc): its rings carry
 * every module's messages (TURN's, the AGW's, TLS keys), so it is the
 * box's, not TURN's. turn.ipc and turn.cp_grace, where it used to live,
 * are still read (tp_conf.warn says they moved).
 */
struct tp_conf_ipc {
	char name[64];                /* shared-memory segment; default "/turnpike" */
	/* While cp is starting, restarting or gone, dp passes it no request
	 * and answers none: clients retransmit (RFC 8489 §6.2.1: 0.5 s, then
	 * doubling, 39.5 s in all) into a cp that is back. After cp_grace_s
	 * seconds without a cp, dp answers 500 at once, so that clients stop
	 * waiting and try another server. Default 40: one client transaction. */
	uint32_t cp_grace_s;
	int line;                     /* the group's line; 0: no ipc group */
};

/* What dp and cp both need about TURN (group "turn"). */
struct tp_conf_turn {
	bool enabled;                 /* the group is present */
	uint16_t listen_port;         /* UDP on access ports; default 3478 */
	uint16_t relay_min;           /* relayed ports, default 49152..65535, */
	uint16_t relay_max;           /* split evenly among dp's workers */
	char realm[TP_CONF_STR_LEN];
	char software[64];            /* SOFTWARE attribute; default "turnpike <version>" */
	/* Highest channel number ChannelBind accepts: 0x4FFF (RFC 8656 §12,
	 * the default, "channels = "rfc8656"") or 0x7FFE (RFC 5766 §11.2,
	 * "channels = "rfc5766"", for clients that still pick numbers up to
	 * 0x7FFF: coturn's turnutils_uclient, pion/turn). */
	uint16_t channel_max;
	/* dp's admission of new Allocates per source prefix (an IPv4 address,
	 * an IPv6 /64), enforced only while cp falls behind: requests per
	 * second and burst (dp/turn/turn_admit.h). Defaults 1000 and 4000
	 * (two requests an allocation: cp's challenge budget, doubled). */
	uint32_t admit_rate;
	uint32_t admit_burst;
	/* TURN over TCP (RFC 8656 §3.1): ports dp's TCP accepts clients on,
	 * on the access ports' own addresses; default [3478], [] for none
	 * (tools/demo adds 80 for clients behind web-only firewalls). */
	uint16_t listen_tcp[TP_CONF_MAX_TCP_LISTEN];
	unsigned int nlisten_tcp;
	/* A TCP client that sends no complete STUN message within this many
	 * seconds of connecting is reset and counted (default 5). */
	uint32_t tcp_first_message_s;
	/* TCP connections one source address may hold on a worker (dp/tcp's
	 * per-source limit; 0: none; default 256). */
	uint32_t tcp_per_source;
	/* ... where an IPv6 source is its prefix of this length (a
	 * subscriber's /64: every address of it is one source). Default 64,
	 * 32..128 */
	uint32_t tcp_source_prefix6;
	/* A TCP or TLS connection that has no allocation this many seconds
	 * after it opened is closed (coturn's max-allocate-timeout; an RFC
	 * 6062 data connection counts once bound). Default 60, 0: never */
	uint32_t tcp_allocate_timeout_s;
	/* turn.tcp_keepalive: TURN's clients over TCP and TLS and RFC 6062's
	 * data and peer connections (default 120 s, 30 s, 4) */
	struct tp_conf_keepalive tcp_keepalive;
	/* RFC 6062: what one TCP allocation's peer and data connections may
	 * hold in dp together, on each worker that has some of them
	 * (dp/tcprelay, dp/tcp's struct tcp_budget): payload bytes and
	 * mbufs, received and queued to send. Its connections' windows offer
	 * shares of what is left and close when it is spent (it holds twice
	 * it at most) until its client (or peer) drains to three quarters.
	 * Defaults 512 KB and 256 mbufs; 0: no budget (the stack's
	 * per-connection limits only). */
	uint32_t tcp_alloc_bytes;
	uint32_t tcp_alloc_mbufs;
	/* TURN over TLS over TCP (RFC 8656 §3.1, 3GPP TS 33.203 Annex W):
	 * ports dp terminates TLS on, same addresses as listen_tcp; default
	 * [] (none). Distinct from listen_tcp and outside relay_ports; needs
	 * the tls group (certificate and key). */
	uint16_t listen_tls[TP_CONF_MAX_TCP_LISTEN];
	unsigned int nlisten_tls;
	int listen_tls_line;
	/* RFC 8016 (turn.mobility, default false): an Allocate over UDP
	 * with an empty MOBILITY-TICKET gets a ticket, and a Refresh bringing
	 * it from another 5-tuple moves the allocation there (cp/alloc's
	 * mobility.c). Off: such an Allocate or Refresh is answered 405. */
	bool mobility;

	/* TURN over DTLS 1.2 (RFC 7350): UDP ports dp terminates DTLS on,
	 * on the access addresses as listen_port; default [] (none).
	 * Distinct, not listen_port, outside relay_ports; needs the tls
	 * group. Sessions per worker: dp.tcp_max_conns; per source address:
	 * tcp_per_source (dp/turn/turn_dtls.c). */
	uint16_t listen_dtls[TP_CONF_MAX_TCP_LISTEN];
	unsigned int nlisten_dtls;
	int listen_dtls_line;

	/* An allocation's bandwidth limit (coturn's max-bps, which is bytes
	 * despite its name; eturnal's max_bps): relayed payload BYTES a second
	 * in each direction, each direction on its own, for every allocation
	 * whose user and tenant give none (tp_conf_max_bps()). 0: none (the
	 * default). max_bps_burst: bytes that may pass at once, 0 (the
	 * default) one second of the limit; at least 10 ms of it. */
	uint32_t max_bps;
	uint32_t max_bps_burst;
};

#define TP_CONF_MAX_SNI      16
#define TP_CONF_PATH_LEN     256

/* One certificate chain and its key (PEM files), with where the file
 * names them (dp's OpenSSL checks report "<file>:<line>"). */
struct tp_conf_tls_cert {
	char name[TP_CONF_PATH_LEN];          /* SNI host name; "" for the default */
	char certificate[TP_CONF_PATH_LEN];   /* chain, leaf first */
	char private_key[TP_CONF_PATH_LEN];
	int line;                             /* the entry (or the tls group) */
	int certificate_line;
	int private_key_line;
};

/* Where crypto goes (tls.offload): nothing (software), an OpenSSL 3
 * provider loaded by name or path into dp's library contexts and chosen by
 * the property query, or an engine (process-wide; the QAT engine) polled
 * from the worker loop when poll is "external". */
enum tp_tls_offload {
	TP_TLS_OFFLOAD_NONE = 0,
	TP_TLS_OFFLOAD_PROVIDER,
	TP_TLS_OFFLOAD_ENGINE,
};

/* The "tls" group: TLS termination in dp (dp/tls). */
/* tls.record_crypto (the values of dp/tls's enum tls_aead_mode) */
enum tp_tls_record_crypto {
	TP_TLS_RECORD_CRYPTO_AUTO = 0,
	TP_TLS_RECORD_CRYPTO_IPSEC_MB = 1,
	TP_TLS_RECORD_CRYPTO_OPENSSL = 2,
};

struct tp_conf_tls {
	bool enabled;                         /* the group is present */
	int line;
	struct tp_conf_tls_cert cert;         /* the default chain */
	unsigned int nsni;
	struct tp_conf_tls_cert sni[TP_CONF_MAX_SNI];
	uint16_t min_version;                 /* 0x0303 (TLS 1.2, default) or 0x0304 */
	int min_version_line;
	char ciphers[512];                    /* TLS 1.2 list, OpenSSL syntax */
	int ciphers_line;
	char ciphersuites[256];               /* TLS 1.3 list */
	int ciphersuites_line;
	char groups[128];                     /* key exchange groups */
	int groups_line;
	uint32_t session_cache;               /* sessions per worker, 0: none */
	/* handshake work a worker does in one loop turn, in us (0: no
	 * bound); past it, handshakes wait for the next turns (dp/tls) */
	uint32_t handshake_budget_us;
	enum tp_tls_offload offload;
	char offload_provider[TP_CONF_PATH_LEN];  /* name or path */
	char offload_properties[TP_CONF_PATH_LEN];
	char offload_engine[64];
	bool offload_poll_external;           /* poll = "external" */
	/* offload.jobs: OpenSSL's async jobs a worker holds at most (each
	 * a 32 KB stack, kept once made); an operation that finds none
	 * free waits, its connection queued, until one is */
	uint32_t offload_jobs;
	int offload_line;
	/* record_layer = "openssl": established connections' records go
	 * through SSL_read/SSL_write; "dp" (the default): dp seals and opens
	 * TLS 1.3's itself (dp/tls/tls_rec.h); only without an offload */
	bool record_openssl;
	/* record_crypto: the AEAD under dp's records (dp/tls/tls_aead.h):
	 * "auto" (the default: Intel's libipsec-mb for AES-GCM and ChaCha20-Poly1305 where dp has it
	 * and the CPU has AES-NI, OpenSSL otherwise), "ipsec-mb" (the same,
	 * and dp refuses to start where it cannot), "openssl" */
	enum tp_tls_record_crypto record_crypto;
	int record_crypto_line;
};

/* The defaults: what Mozilla's "intermediate" profile allows (ECDHE with
 * AEAD ciphers only for TLS 1.2), the three TLS 1.3 suites, X25519 then the
 * NIST curves. */
#define TP_CONF_TLS_CIPHERS \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#define TP_CONF_TLS_CIPHERSUITES \
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
#define TP_CONF_TLS_GROUPS "X25519:P-256:P-384"
#define TP_CONF_TLS_SESSION_CACHE 20000u
#define TP_CONF_TLS_HANDSHAKE_BUDGET_US 200u
#define TP_CONF_TLS_ASYNC_JOBS 1024u
#define TP_CONF_TLS_ASYNC_JOBS_MIN 1u
#define TP_CONF_TLS_ASYNC_JOBS_MAX 65536u

/* The highest max_bps (bytes a second): 2 GB/s, 16 Gbit/s */
#define TP_CONF_MAX_BPS      (1u << 31)

struct tp_conf_user {
	char name[TP_CONF_STR_LEN];
	char password[TP_CONF_STR_LEN];
	int line;
	/* max_bps: this user's bandwidth limit, bytes a second each way for
	 * each of its allocations (0: none, over its tenant's and
	 * turn.max_bps); has_max_bps: the file gave one */
	bool has_max_bps;
	uint32_t max_bps;
};

/* cp.store's default: where a carrier's operator looks for a daemon's
 * state (systemd's StateDirectory=turnpike makes the folder). */
#define TP_CONF_STORE_DEFAULT "/var/lib/turnpike/turnpike.db"

/* A peer-address policy as the file gives it (cp.peers, agw.peers; cp/policy
 * judges by it): class exceptions and prefix lists. */
struct tp_conf_peers {
	bool allow_loopback;
	bool allow_private;
	bool allow_link_local;
	bool allow_multicast;
	unsigned int nallow, ndeny;
	char allow[TP_CONF_MAX_PREFIXES][64];
	char deny[TP_CONF_MAX_PREFIXES][64];
};

/* The control process (group "cp"). */
struct tp_conf_cp {
	/* cp.user: the system user turnpike-cp runs as. Started as root, cp
	 * drops to it once its API socket is bound; the shared-memory segment
	 * and the API socket belong to it, and dp (root) gives the segment it
	 * creates to it. "" (the default): none, cp keeps the user it was
	 * started as, and the segment belongs to that euid (root). The name
	 * is checked when read; tp_conf_resolve_user() looks it up. */
	char user[TP_CONF_NAME_LEN];
	int user_line;
	uint32_t user_uid;            /* set by tp_conf_resolve_user() */
	uint32_t user_gid;
	char api_socket[108];         /* default "/run/turnpike/cp.sock" */
	uint32_t api_mode;            /* default 0600: root only; 0660 with api_group */
	/* The operator group (api_group): the socket's group, and whose
	 * members cp's peer check lets in beside root and cp's own user.
	 * Resolved to its gid when the file is loaded. */
	bool has_api_group;
	char api_group[64];
	uint32_t api_gid;
	/* The AGW's controllers (agw_group): members may call agw.* and
	 * agw.events (turnpikectl agw, events) on the operator socket and
	 * nothing else; the socket grants the group access by an ACL entry.
	 * Never the operator group. */
	bool has_agw_group;
	char agw_group[64];
	uint32_t agw_gid;
	uint32_t lifetime_default_s;  /* default 600 (RFC 8656 §6) */
	uint32_t lifetime_max_s;      /* default 3600 */
	uint32_t perm_lifetime_s;     /* 300, RFC 8656 §9: tests may shorten */
	uint32_t chan_lifetime_s;     /* 600, RFC 8656 §12 */
	uint32_t nonce_lifetime_s;    /* default 600 */
	/* cp.tls_ticket_rotate: how often cp makes a new TLS session ticket
	 * key for every dp worker; the previous one still
	 * decrypts for one more period. Seconds, 1..86400, default 3600. */
	uint32_t tls_ticket_rotate_s;
	uint32_t quota_user;          /* allocations per username, 0 = no limit;
				       * default TP_CONF_QUOTA_USER_DEF */
	uint32_t quota_total;         /* allocations in all; default 100000 */
	/* 401/438 challenges per source (an IPv4 address, an IPv6 /64): per
	 * second and burst. They bound what a spoofer can reflect at a victim
	 * (a challenge is some five times a minimal Allocate) and sit above
	 * what an honest source needs: a carrier-grade NAT whose subscribers
	 * all reconnect at once, a media server. Defaults 500 and 2000. */
	uint32_t challenge_rate;
	uint32_t challenge_burst;
	/* The user store (cp/store): users and REST secrets added at run
	 * time (turnpikectl users|secrets add, users import-coturn) are kept
	 * in the SQLite database at this absolute path, made on first start,
	 * and are there after a restart. Default TP_CONF_STORE_DEFAULT;
	 * "none" in the file: no store ("" here), they live in memory only.
	 * The users and secrets below stay a read-only layer above it. */
	char store[TP_CONF_STR_LEN];
	uint32_t store_busy_ms;       /* wait for another's lock; default 200 */
	uint32_t max_users;           /* users cp holds in all; default 10000 */
	/* cp.log_level: "error", "warning", "notice", "info" (the default),
	 * "debug"; kept as syslog's priority (3-7, tp_log_levels.def).
	 * Reload changes it. */
	uint32_t log_level;
	/* The Prometheus endpoint (cp/metrics): "ADDR:PORT" (coturn's port
	 * is 9641), "" (the default): off. */
	char metrics[64];
	/* cp.metrics_allow: the source prefixes that may scrape it
	 * ("10.0.0.0/8", "::1/128"; host bits refused); a connection from
	 * elsewhere is closed at once and counted. None (the default): any
	 * source, and cp warns when cp.metrics is not a loopback address. */
	unsigned int nmetrics_allow;
	char metrics_allow[TP_CONF_MAX_PREFIXES][64];
	/* Other servers to send new clients to when this box is full (300
	 * Try Alternate, RFC 8489 §10, instead of 486/508): "ADDR:PORT"
	 * strings, cp checks them. */
	unsigned int nalternates;
	char alternates[TP_CONF_MAX_ALTERNATES][64];
	unsigned int nusers;
	struct tp_conf_user users[TP_CONF_MAX_USERS];
	/* TURN REST API shared secrets: a string (HMAC-SHA1 passwords), or
	 * { secret = "..."; algorithm = "sha256"; } (HMAC-SHA256 ones);
	 * secret_algs[i] is secrets[i]'s, enum tp_rest_alg. */
	unsigned int nsecrets;
	char secrets[TP_CONF_MAX_SECRETS][TP_CONF_STR_LEN];
	uint8_t secret_algs[TP_CONF_MAX_SECRETS];
	/* cp.peers: which peers an allocation may reach (cp/policy) */
	struct tp_conf_peers peers;
	/* A relayed transport address of this box that an allocation holds is
	 * an allowed peer (two relayed clients of one box calling each other,
	 * as WebRTC does; coturn allows it too). Default true. */
	bool allow_relay_to_relay;
};

#define TP_CONF_MAX_AGW_CERTS 8

/*
 * The "agw" group: the IMS access gateway's contexts (dp/agw, dp/splice;
 * 3GPP TS 29.334 e2ae). Present: dp splices contexts that cp's API
 * creates; absent: none.
 */
struct tp_conf_agw {
	bool enabled;                 /* the group is present */
	int line;
	/* agw.ports [first, last]: the local ports of server terminations
	 * (a fixed one the controller asks for, or one cp picks), cut into
	 * one share per worker as relay_ports are (lib/steer): a connection
	 * to a port is steered to the worker whose share holds it, the one
	 * cp gave the context to. Outside relay_ports, dp's active-open
	 * range (49152-65535) and every TCP listening port. Default
	 * [20000, 29999]. */
	uint16_t port_min, port_max;
	/* contexts per worker, default 1024; two TCP connections each,
	 * within dp.tcp_max_conns */
	uint32_t max_contexts;
	/* both legs up within this many seconds of the context's creation,
	 * else it is released (setup_timeout); default 30, 0: no limit */
	uint32_t setup_timeout_s;
	/* bytes of one leg held while the other is not up (connecting,
	 * TLS handshake); then that leg is not read (TCP's window closes).
	 * Default 65536 */
	uint32_t hold_bytes;
	/* agw.keepalive: both legs, either TCP role (default 120 s, 30 s, 4) */
	struct tp_conf_keepalive keepalive;
	/* agw.allow_sha1: a TLS leg whose only signalled fingerprints are
	 * sha-1 is taken (cp creates it, dp judges the peer by sha-1).
	 * Default false: cp refuses such a leg at create, dp's legs fail
	 * weak_fingerprint. Beside a stronger hash sha-1 is never compared,
	 * whatever this says (RFC 8122 §5; lib/certfp certfp_match()). */
	bool allow_sha1;
	/* certificates of ours a context may use instead of the tls
	 * group's (agw.certificates: ( { name; certificate; private_key; } )) */
	unsigned int ncerts;
	struct tp_conf_tls_cert certs[TP_CONF_MAX_AGW_CERTS];
	/* agw.peers: what a termination's remote may be (cp/policy, as
	 * cp.peers judges TURN's peers). Default: private ranges allowed (an
	 * IMS core usually is private); loopback, link-local, multicast, the
	 * unspecified address and this box's own addresses refused */
	struct tp_conf_peers peers;
	/* agw.quota = { api; iq; ng; default_tenant; }: live contexts in
	 * all that the JSON door (the operator's and the controllers'), the
	 * Iq door, the ng door and the default tenant may hold (a named
	 * tenant's is its agw_contexts), so that one door or tenant cannot
	 * take every slot; 0 (the default): no limit beyond agw.max_contexts
	 * a worker. cp's alone; a reload applies them. emergency: RTP
	 * contexts an Iq or JSON request marks as emergency (TS 23.334 section 8) that a door
	 * may hold past those quotas at once (default 64): never refused for
	 * a quota a normal one hits, but a controller that marks everything
	 * emergency cannot take every slot either */
	struct tp_conf_agw_quota {
		uint32_t api, iq, ng, default_tenant, emergency;
	} quota;
	/* agw.media_ports [first, last]: the UDP ports of RTP terminations
	 * (dp/rtp), cut into one share per worker as relay_ports are: a
	 * context's terminations take ports of its worker's share. 0, 0
	 * (the default): no RTP terminations. Outside relay_ports,
	 * turn.listen_port, dp.diag_echo_port and agw.ports. */
	uint16_t media_min, media_max;
	int media_line;
	/* RTP contexts per worker (default 4096) */
	uint32_t media_contexts;
	/* ms of silence from a latched source before another may latch
	 * (H.248.37's re-latching; default 2000) */
	uint32_t media_relatch_ms;
	/* ms after an ICE termination's last valid check from its nominated
	 * pair that media to it stop (RFC 7675 §5.1's 30 s, the default; at
	 * least TP_CONF_ICE_CONSENT_MIN_MS) */
	uint32_t ice_consent_ms;
	/* agw.dtls: DTLS-SRTP on RTP terminations (dp/dtls_srtp): our
	 * certificate for every worker (cert's files; both "": dp makes an
	 * ECDSA P-256 one at start), the handshakes a worker holds at once,
	 * a handshake's whole time, and the life of a certificate dp makes
	 * (s; renewed with a third of it left) */
	struct {
		struct tp_conf_tls_cert cert;
		uint32_t handshakes;
		uint32_t handshake_timeout_s;
		uint32_t lifetime_s;
		int line;
	} dtls;
};

#define TP_CONF_ICE_CONSENT_MIN_MS 1000u
#define TP_CONF_DTLS_HANDSHAKES    256u
#define TP_CONF_DTLS_HS_TIMEOUT_S  20u
/* A certificate dp makes: 30 days, as browsers make theirs (RFC 8827
 * §6.5 asks no more than a fingerprint of it); 12 s at least (the tests
 * renew within seconds), a year at most. */
#define TP_CONF_DTLS_LIFETIME_S     (30u * 86400u)
#define TP_CONF_DTLS_LIFETIME_MIN_S 12u
#define TP_CONF_DTLS_LIFETIME_MAX_S (366u * 86400u)

#define TP_CONF_MAX_IQ_MGCS 4
#define TP_CONF_MAX_IQ_SEND_FROM 16
#define TP_CONF_IQ_KEY_MAX 64         /* bytes: HMAC's block, past it the key is hashed */

/* iq.auth's algorithms (RFC 2404, RFC 4868): the MAC truncated to 96 or
 * 128 bits */
enum tp_conf_iq_alg {
	TP_IQ_HMAC_SHA1_96 = 1,
	TP_IQ_HMAC_SHA256_128,
};

/*
 * One controller's H.248.1 §10.2 interim AH (iq.auth): its security
 * parameter index, algorithm and key (inline, or the path of a file of
 * hex that cp reads at start), and whether its sequence numbers are
 * checked against the anti-replay window (RFC 2402 §3.4.3).
 */
struct tp_conf_iq_auth {
	int line;
	unsigned int mgc;             /* its index in iq.mgc */
	uint32_t spi;
	uint8_t alg;                  /* enum tp_conf_iq_alg */
	bool anti_replay;             /* default true */
	uint8_t keylen;               /* key[0..keylen): an inline key */
	uint8_t key[TP_CONF_IQ_KEY_MAX];
	char key_file[TP_CONF_PATH_LEN];   /* or its file ("" with an inline key) */
};

/*
 * The "iq" group (cp/iq): the IMS-ALG drives the access gateway over
 * H.248 (3GPP TS 29.334's Iq profile, text encoding) beside the operator
 * API. Needs the agw group. Absent: no Iq.
 *
 *   iq = {
 *     listen = "192.0.2.10:2944";    # this host's address on the control network
 *     transport = "udp";             # "udp" (H.248.1 Annex D.1) or "tcp" (D.2)
 *     mid = "[192.0.2.10]:2944";     # our message identifier (default: from listen)
 *     mgc = ["192.0.2.20:2944"];     # the controllers, in order; only they are answered
 *     send_from = ["192.0.2.20:2950"];   # more source addresses of those controllers
 *     auth = ( { mgc = "192.0.2.20:2944"; spi = "0x0000abcd";
 *                algorithm = "hmac-sha1-96"; key_file = "/etc/turnpike/iq-mgc1.key"; } );
 *     max_rate = 500;                # requests a second; past it: error 511
 *     profile = "threegiq/1";        # ServiceChangeProfile offered at registration
 *   };
 */
struct tp_conf_iq {
	bool enabled;
	int line;
	char listen[64];              /* "IP:PORT" */
	bool tcp;                     /* transport = "tcp" */
	char mid[80];                 /* as it goes into every message */
	unsigned int nmgc;
	char mgc[TP_CONF_MAX_IQ_MGCS][64];   /* "IP:PORT", same family as listen */
	/* further source addresses ("IP:PORT"), each a controller's on its
	 * host (send_from_mgc: its index in mgc) */
	unsigned int nsend_from;
	char send_from[TP_CONF_MAX_IQ_SEND_FROM][64];
	uint8_t send_from_mgc[TP_CONF_MAX_IQ_SEND_FROM];
	/* the controllers whose messages are authenticated (at most one
	 * entry each) */
	unsigned int nauth;
	struct tp_conf_iq_auth auth[TP_CONF_MAX_IQ_MGCS];
	uint32_t max_rate;            /* default 500 */
	uint32_t request_timeout;     /* s: our requests repeated this long, default 30 */
	char profile[64];             /* "name/version", default "threegiq/1" */
	/* the tenant of the controllers' association: its contexts are that
	 * tenant's (a name of the tenants list, checked once it loaded;
	 * "" the default tenant) and its index there (0 the default) */
	char tenant[32];
	int tenant_line;
	unsigned int tenant_idx;
};

#define TP_CONF_MAX_NG_ALLOW 16
#define TP_CONF_MAX_NG_IFNAMES 4
#define TP_CONF_MAX_NG_PASS 8
#define TP_CONF_NG_PROTO_MAX 32     /* an m= proto's name, NUL included */

/* One ng.allow entry, a network whose requests are answered: family
 * AF_INET or AF_INET6, ip in network order (IPv4 in its first 4 bytes),
 * the bits past plen zero. */
struct tp_conf_ng_net { uint8_t family; uint8_t plen; uint8_t ip[16]; };

/*
 * The "ng" group (cp/ng): a SIP proxy's rtpengine module (Kamailio's,
 * OpenSIPS') drives the access gateway over rtpengine's ng protocol
 * (bencode over UDP) beside the operator API and Iq. ng has no
 * authentication: only the sources of allow are answered. Needs the agw
 * group with agw.media_ports (ng's calls are RTP). Absent: no ng.
 *
 *   ng = {
 *     listen = "127.0.0.1:2223";     # this host's address on the control network
 *     allow = ["127.0.0.1/32", "10.0.0.0/8", "2001:db8::/32"];   # a bare address: /32, /128
 *     max_rate = 1000;               # requests a second (a large reply costs more:
 *                                    # cp/cp_amp.h); past it: nothing acted on
 *     delete_delay = 0;              # s a delete without its own delete-delay waits
 *     timeout = 60;                  # s without media on either side of every stream:
 *                                    # the call ends (rtpengine's --timeout)
 *     access = ["access", "internal"];   # direction= names of the access side
 *     core = ["core", "external"];       # and of the core side
 *     tenant = "volte";              # the tenant of the calls set up over ng
 *     pass_through = ["TCP/MSRP"];   # m= protos (not RTP) passed on unanchored;
 *                                    # default none: such a section is refused
 *     early_media = true;            # relay the answerer's media to the offerer
 *                                    # before its answer (rtpengine's way)
 *   };
 */
struct tp_conf_ng {
	bool enabled;
	int line;
	char listen[64];             /* "IP:PORT" (UDP), required */
	unsigned int nallow;         /* required, >= 1: only these sources are answered */
	struct tp_conf_ng_net allow[TP_CONF_MAX_NG_ALLOW];
	uint32_t max_rate;           /* requests a second, default 1000, 1..1000000 */
	/* s, default 0, 0..3600: a delete without its own delete-delay
	 * waits this long */
	uint32_t delete_delay;
	uint32_t timeout;            /* s, default 60, 5..3600: a call silent this long ends */
	/* s, default 30 (rtpengine's), 1..300: a reply is kept this long
	 * for a repeat of its request */
	uint32_t reply_cache_time;
	unsigned int naccess, ncore; /* direction= names meaning the access side and the core side */
	char access[TP_CONF_MAX_NG_IFNAMES][32];   /* default {"access","internal"} */
	char core[TP_CONF_MAX_NG_IFNAMES][32];     /* default {"core","external"} */
	/* the m= protos (none of RTP's family) whose sections an offer or
	 * answer may carry on as they came, their media not crossing the
	 * gateway; default none: such a section is refused */
	unsigned int npass;
	char pass_through[TP_CONF_MAX_NG_PASS][TP_CONF_NG_PROTO_MAX];
	/* default true (rtpengine's): what reaches the answerer's port after
	 * the offer and before its answer goes to the offerer when the
	 * answerer was offered plain RTP (cp/ng/FEATURE.md "Early media") */
	bool early_media;
	char tenant[32]; int tenant_line; unsigned int tenant_idx;   /* as iq's */
};

#define TP_CONF_MAX_CLUSTER_HOSTS 8
#define TP_CONF_CLUSTER_NAME_MAX  63u

/* What a cluster shares (cluster.share), as bits. */
#define TP_CLUSTER_SHARE_USERS    0x1u   /* users and REST secrets */
#define TP_CLUSTER_SHARE_QUOTA    0x2u   /* per-user allocation quotas */
#define TP_CLUSTER_SHARE_REGISTRY 0x4u   /* where allocations live */
#define TP_CLUSTER_SHARE_LOAD     0x8u   /* load, drain; ALTERNATE-SERVER */
#define TP_CLUSTER_SHARE_ALL      0xfu

/*
 * The "cluster" group (cp/cluster): many boxes sharing state in
 * Redis. Absent: one box, as without it.
 *
 *   cluster = {
 *     redis = ["127.0.0.1:6379"];           # or, through Sentinel:
 *     # sentinels = ["10.0.0.1:26379", "10.0.0.2:26379"]; master = "turnpike";
 *     box = "relay-a";                       # this box's name in the cluster
 *     address = ["192.0.2.1:3478", "[2001:db8::1]:3478"];  # where others send clients
 *     share = ["users", "quota", "registry", "load"];       # the default: all
 *     lease = 30;                            # s: a dead box's quota and registry go after it
 *     namespace = "turnpike.example";        # key prefix; default turn.realm
 *     password_file = "/etc/turnpike/redis.secret";  # AUTH (mode 0600, root's or cp.user's)
 *     username = "turnpike";                 # Redis 6 ACL user (default: none)
 *     sentinel_password_file = "/etc/turnpike/sentinel.secret";  # the sentinels' requirepass
 *   };
 */
struct tp_conf_cluster {
	bool enabled;
	int line;
	unsigned int nredis;
	char redis[TP_CONF_MAX_CLUSTER_HOSTS][64];     /* "IP:PORT" */
	unsigned int nsentinels;
	char sentinels[TP_CONF_MAX_CLUSTER_HOSTS][64]; /* "IP:PORT" */
	char master[TP_CONF_CLUSTER_NAME_MAX + 1];     /* Sentinel's master name */
	char box[TP_CONF_CLUSTER_NAME_MAX + 1];
	unsigned int naddress;
	char address[2][64];          /* one IPv4, one IPv6 "IP:PORT" at most */
	uint32_t share;               /* TP_CLUSTER_SHARE_* */
	uint32_t lease_s;             /* default 30 */
	char ns[TP_CONF_STR_LEN];     /* key prefix, default turn.realm */
	/* Redis AUTH: the password's file (read by cp at start, checked as
	 * a key file: cp/cluster/cluster_parse.c cl_read_secret()), the ACL
	 * user (Redis 6; "": the default user); Sentinel's own password */
	char password_file[TP_CONF_PATH_LEN];
	int password_file_line;
	char username[TP_CONF_CLUSTER_NAME_MAX + 1];
	char sentinel_password_file[TP_CONF_PATH_LEN];
	int sentinel_password_file_line;
};

/* What a box of a pair does with the lease (ha.role). */
enum tp_ha_role {
	TP_HA_ROLE_AUTO = 0,          /* takes the lease when it may (the default) */
	TP_HA_ROLE_STANDBY,           /* never takes it (maintenance) */
	TP_HA_ROLE_ACTIVE,            /* takes it at start as soon as it is free,
				       * without first listening for the peer */
};

/*
 * The "ha" group (issue 69, docs/design/ha.md §3.1; lib/conf/tp_conf_ha.c):
 * this box is one of an active/standby pair. Needs a cluster group (the
 * lease is in its Redis). Absent: one box, as without it.
 *
 *   ha = {
 *     pair = "edge-1";                   # the pair's name (Redis keys, the cluster)
 *     role = "auto";                     # or "standby", "active"
 *     lease_ms = 1000;                   # the lease's life; dp goes passive by its end
 *     peer = "192.0.2.2:7400";           # the other box's cp (the mirror link)
 *     listen = "192.0.2.1:7400";         # where this cp takes the peer's link
 *     key_file = "/etc/turnpike/ha.key"; # the link's PSK (mode 0600, root's or cp.user's)
 *     heartbeat_ms = 100;                # link heartbeats
 *     bound_ms = 100;                    # the mirror's lag target
 *   };
 */
struct tp_conf_ha {
	bool enabled;
	int line;
	char pair[TP_CONF_CLUSTER_NAME_MAX + 1];
	uint32_t role;                /* enum tp_ha_role */
	uint32_t lease_ms;            /* default 1000 */
	char peer[64];                /* "IP:PORT" */
	char listen[64];              /* "IP:PORT", the peer's family */
	char key_file[TP_CONF_PATH_LEN];
	int key_file_line;
	uint32_t heartbeat_ms;        /* default 100 */
	uint32_t bound_ms;            /* default 100 */
};

/* neIdentifier, admfIdentifier: at most this many bytes. */
#define TP_CONF_LI_ID_MAX  63u
/* li.x2x3's defaults (docs/design/li.md §3.3, §3.4): a keepalive every 30 s (its
 * acknowledgement due within two intervals), 10 s for a handshake or for
 * queued bytes to move. */
#define TP_CONF_LI_KEEPALIVE_S  30u
#define TP_CONF_LI_TIMEOUT_S    10u

/*
 * The "li" group (issue 70, docs/design/li.md §2.1; lib/conf/tp_conf_li.c):
 * lawful interception. Absent: none, and no X1 listener.
 *
 *   li = {
 *     ne_id = "tp-edge-1";                    # our neIdentifier
 *     store = "/var/lib/turnpike/li.db";      # optional: default li.db beside cp.store
 *     x1 = {
 *       listen = "192.0.2.1:4443";            # HTTPS, mutual TLS
 *       cert = "PATH"; key = "PATH";          # ours
 *       client_ca = "PATH";                   # what the ADMF's certificate chains to
 *       admf_id = "admf-1";                   # the ADMF's admfIdentifier
 *       cctf_id = "pcscf-1";                  # optional: the P-CSCF's CC-TF (LI_T3)
 *       schemas = "DIR";                      # optional: ETSI's modules (validation)
 *     };
 *     x2x3 = { cert = "PATH"; key = "PATH"; ca = "PATH";      # towards the MF
 *              keepalive_s = 30;               # optional: keepalives (0: none)
 *              timeout_s = 10; };              # optional: handshake, stalled writes
 *   };
 */
struct tp_conf_li {
	bool enabled;
	int line;
	char ne_id[TP_CONF_LI_ID_MAX + 1];
	char store[TP_CONF_PATH_LEN];           /* "": li.db in cp.store's folder */
	struct {
		char listen[64];                /* "IP:PORT" */
		char cert[TP_CONF_PATH_LEN];
		char key[TP_CONF_PATH_LEN];
		char client_ca[TP_CONF_PATH_LEN];
		char admf_id[TP_CONF_LI_ID_MAX + 1];
		char cctf_id[TP_CONF_LI_ID_MAX + 1];  /* "": no LI_T3 triggers */
		char schemas[TP_CONF_PATH_LEN]; /* "": structure checked by turnpike only */
	} x1;
	struct {
		char cert[TP_CONF_PATH_LEN];
		char key[TP_CONF_PATH_LEN];
		char ca[TP_CONF_PATH_LEN];
		uint32_t keepalive_s;   /* TS 103 221-2 keepalives' interval, 0: none */
		uint32_t timeout_s;     /* a handshake, or queued bytes stalled: closed */
	} x2x3;
};

/*
 * The "accounting" group (cp/acct, lib/conf/tp_conf_acct.c): usage
 * records as JSON lines. Absent: none.
 *
 *   accounting = {
 *     file = "/var/log/turnpike/usage.jsonl";
 *     interim = 300;                 # s between interim records; 0: none
 *     retention = 90;                # days rotated files are kept; 0: forever
 *     spool = "/var/spool/turnpike"; # records the file could not take wait here
 *     spool_max = 64;                # MB; a record past it is dropped, counted
 *     stream = "usage";              # with a cluster: XADD NS:usage MAXLEN ~ stream_maxlen
 *     stream_maxlen = 1000000;
 *   };
 */
struct tp_conf_acct {
	bool enabled;
	int line;
	char file[TP_CONF_PATH_LEN];
	uint32_t interim_s;
	uint32_t retention_days;
	char spool[TP_CONF_PATH_LEN];     /* a folder; "": no spool */
	int spool_line;
	uint32_t spool_max_mb;            /* default 64 */
	char stream[TP_CONF_CLUSTER_NAME_MAX + 1];  /* "": no Redis Stream */
	uint32_t stream_maxlen;           /* default 1000000 */
};

/*
 * The "oauth" group (cp/auth's RFC 7635, lib/conf/tp_conf_oauth.c):
 * third-party authorization at the default tenant's addresses. Absent:
 * off. The keys are secrets (kept as written, base64 or a file name; cp
 * decodes them).
 */
#define TP_CONF_OAUTH_KEYS       16
#define TP_CONF_OAUTH_KID_MAX    64u
#define TP_CONF_OAUTH_NAME_MAX   255u
#define TP_CONF_OAUTH_A128GCM    1u    /* cp/auth's CP_OAUTH_A128GCM */
#define TP_CONF_OAUTH_A256GCM    2u

struct tp_conf_oauth_key {
	char kid[TP_CONF_OAUTH_KID_MAX + 1];
	/* the authorization server it is shared with ("": the kid names
	 * it): an allocation is renewed by tokens of its own AS only */
	char as[TP_CONF_OAUTH_KID_MAX + 1];
	uint8_t alg;                  /* TP_CONF_OAUTH_A* */
	int line;
	char key_b64[96];             /* "" when key_file */
	char key_file[TP_CONF_PATH_LEN];
};

struct tp_conf_oauth {
	bool enabled;
	int line;
	char server_name[TP_CONF_OAUTH_NAME_MAX + 1];  /* default turn.realm */
	uint32_t tolerance_s;         /* default 30 */
	uint32_t max_lifetime_s;      /* 0: no cap */
	unsigned int nkeys;
	struct tp_conf_oauth_key keys[TP_CONF_OAUTH_KEYS];
};

/*
 * The "tenants" list: customers hosted on the same box (an MVNO, an
 * enterprise), each with its own TURN addresses on an access port, realm,
 * users, REST secrets, quotas, relayed addresses and peer policy. A
 * client's tenant is the one whose address it reached: nothing a client
 * sends picks it. Index 0 is the default tenant, today's box: the access
 * ports' own addresses, turn.realm, cp's users, secrets, quotas and
 * peers, and the relayed addresses no tenant claims; tenants[i] is index
 * i + 1 everywhere (dp's address table, the segment's realms, cp).
 */
#define TP_CONF_MAX_TENANTS       16
#define TP_CONF_TENANT_ADDRS       8   /* TURN addresses of one tenant */
#define TP_CONF_TENANT_NAME_MAX   31
#define TP_CONF_TENANT_USERS      64   /* users one tenant lists in the file */

struct tp_conf_tenant_addr {
	uint8_t family;               /* 4 or 6 */
	uint8_t port;                 /* index in dp.ports: the access port whose prefix holds it */
	uint8_t ip[16];               /* IPv4 in the first 4 bytes */
};

struct tp_conf_tenant {
	char name[TP_CONF_TENANT_NAME_MAX + 1];
	char realm[TP_CONF_STR_LEN];
	int line;
	unsigned int naddrs;
	struct tp_conf_tenant_addr addrs[TP_CONF_TENANT_ADDRS];
	/* relay: its own relayed addresses, as bits of tp_conf_relay_addrs()'s
	 * indices per family (0: none listed, it shares the default pool) */
	uint64_t relay4_mask, relay6_mask;
	uint32_t quota_total;         /* allocations in all; default cp.quota_total */
	uint32_t quota_user;          /* per username, 0 = none; default a tenth */
	uint32_t agw_contexts;        /* live AGW contexts, 0 = no limit (the default) */
	/* its allocations' bandwidth limit (turn.max_bps's unit) over
	 * turn.max_bps, when has_max_bps; 0: none */
	bool has_max_bps;
	uint32_t max_bps;
	unsigned int nusers;
	struct tp_conf_user users[TP_CONF_TENANT_USERS];
	unsigned int nsecrets;
	char secrets[TP_CONF_MAX_SECRETS][TP_CONF_STR_LEN];
	uint8_t secret_algs[TP_CONF_MAX_SECRETS];   /* as cp's */
	bool has_peers;               /* peers given: its own; else cp.peers */
	struct tp_conf_peers peers;
	bool allow_relay_to_relay;
};

struct tp_conf_tenants {
	unsigned int n;
	int line;
	struct tp_conf_tenant t[TP_CONF_MAX_TENANTS];
};

struct tp_conf {
	char path[4096];
	/* A word for the operator about a file that loaded ("<file>:<line>:
	 * turn.ipc moved to the ipc group ..."), "" when none: dp and cp log
	 * it as a warning. */
	char warn[512];
	/* The files that hold a user's password or a REST secret (the file
	 * itself, or one it @includes; the first TP_CONF_SECRET_FILES):
	 * tp_conf_secrets_exposed() asks who else may read them. */
	unsigned int nsecret_files;
	char secret_files[TP_CONF_SECRET_FILES][4096];
	struct tp_conf_dp dp;
	struct tp_conf_ipc ipc;
	struct tp_conf_turn turn;
	struct tp_conf_cp cp;
	struct tp_conf_tls tls;
	struct tp_conf_agw agw;
	struct tp_conf_iq iq;
	struct tp_conf_ng ng;
	struct tp_conf_cluster cluster;
	struct tp_conf_ha ha;
	struct tp_conf_li li;
	struct tp_conf_acct acct;
	struct tp_conf_oauth oauth;
	struct tp_conf_tenants tenants;
};

#endif /* TP_CONF_TYPES_H */
