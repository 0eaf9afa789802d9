/**
 * Redis key names. Every core key carries the hash tag {ns}, so a request's state, its indexes
 * and the log entry recording a change live on one slot and change together in one Lua script,
 * also on Redis Cluster. BullMQ queues use their own prefix and may live on other slots.
 */
export class Keys {
  readonly tag: string;

  constructor(readonly ns: string) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(ns)) throw new Error(`invalid namespace ${ns}`);
    this.tag = `{${ns}}`;
  }

  /** `{ns}:<parts joined by ':'>`: every key below is one of these. */
  private key(...parts: string[]): string {
    return [this.tag, ...parts].join(':');
  }

  /** HASH of one request: header fields, the sealed documents and receipts. */
  request(requestId: string): string { return this.key('req', requestId); }
  /** HASH bic → per-bank state JSON of one request. */
  requestBanks(requestId: string): string { return this.key('req', requestId, 'banks'); }
  /** LIST of statementIds for one request, in arrival order. */
  requestStatements(requestId: string): string { return this.key('req', requestId, 'stmts'); }
  /** ZSET requestId by receipt time, of requests awaiting a sanction, per police body. */
  pendingForBody(bodyBin: string): string { return this.key('pending', bodyBin); }
  /** ZSET requestId by receipt time (ms), of every request a police body submitted (GET /v1/requests). */
  requestsOfBody(bodyBin: string): string { return this.key('requests', bodyBin); }
  /** SET of the requestIds filed under one ERDR number (the money trail of a case), written by intake-6.lua. */
  caseRequests(erdrNumber: string): string { return this.key('case', erdrNumber); }
  /** ZSET requestId by decision time (ms), of the sanctions an office issued (granted or refused). */
  decidedByOffice(officeBin: string): string { return this.key('decided', officeBin); }
  /** HASH of one delivery (request, bank, times, log indices, receipt). */
  delivery(deliveryId: string): string { return this.key('delivery', deliveryId); }
  /** ZSET deliveryId by delivery time: the bank's unacknowledged inbox. */
  inbox(bic: string): string { return this.key('inbox', bic); }
  /** HASH bic → number of deliveries currently overdue. */
  overdue(): string { return this.key('overdue'); }
  /** LIST of (requestId, bic) work items written with the state change, drained into BullMQ. */
  outbox(): string { return this.key('outbox'); }
  /** ZSET deliveryId by deadline (ms): the deadline timers of delivered deliveries (deliver-8.lua adds, overdue-5.lua removes). */
  deadlines(): string { return this.key('deliveries', 'deadlines'); }
  /** ZSET deliveryId by time queued (ms): sanctioned deliveries not yet delivered, for the reconciler. */
  queued(): string { return this.key('deliveries', 'queued'); }
  /** HASH of one statement: its stored bytes (plain CMS, or ciphertext and header) and metadata. */
  statement(statementId: string): string { return this.key('stmt', statementId); }
  /** STRING: the log's size (INCR; index = new value − 1). */
  logSize(): string { return this.key('log', 'size'); }
  /** HASH decimal index → log entry bytes. */
  logEntries(): string { return this.key('log', 'entries'); }
  /** One-time sign-in challenge, by its SHA-256 (TTL: its validity). */
  authChallenge(hash: string): string { return this.key('auth', 'challenge', hash); }
  /** Console session JSON, by the SHA-256 of its id (TTL: the idle limit). */
  authSession(hash: string): string { return this.key('auth', 'session', hash); }
  /** Failed sign-ins in the current window, per client address or certificate fingerprint. */
  authFailures(kind: 'addr' | 'cert', id: string): string { return this.key('auth', 'fail', kind, id); }
}

/** Deterministic delivery id: one per (request, bank), also the BullMQ job id and the outbox item. */
export function deliveryIdOf(requestId: string, bic: string): string {
  return `${requestId}.${bic}`;
}

/** Parses a delivery id (also the JSON outbox items of earlier versions); undefined when it is neither. */
export function parseDeliveryId(item: string): { requestId: string; bic: string } | undefined {
  let requestId: unknown;
  let bic: unknown;
  if (item.startsWith('{')) {
    try {
      ({ requestId, bic } = JSON.parse(item) as { requestId?: unknown; bic?: unknown });
    } catch {
      return undefined;
    }
  } else {
    const dot = item.lastIndexOf('.');
    requestId = item.slice(0, dot);
    bic = item.slice(dot + 1);
  }
  if (typeof requestId !== 'string' || typeof bic !== 'string') return undefined;
  return /^[0-9a-f-]{36}$/.test(requestId) && /^[A-Z0-9]{8,11}$/.test(bic) ? { requestId, bic } : undefined;
}
