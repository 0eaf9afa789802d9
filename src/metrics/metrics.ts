import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DocumentVerifier } from '../documents/signed-document';
import type { StatementIntake } from '../statements/intake';

/**
 * What the metrics read on each scrape. Every source is optional (a gateway without workers still
 * has queues; a unit test may have none). A failing source empties its gauge for that scrape and
 * counts in metrics_collect_errors_total: a stale number would be worse than none.
 */
export interface MetricsSources {
  /** BullMQ job counts per queue name, e.g. { delivery: { waiting: 3, active: 1, ... } }. */
  queueCounts?: () => Promise<Record<string, Record<string, number>>>;
  /** Open overdue deliveries per bank BIC (the `{ns}:overdue` hash). */
  overdueCounts?: () => Promise<Record<string, number>>;
  /** Sequenced and integrated sizes of the transparency log. */
  logSizes?: () => Promise<{ sequenced: number; integrated: number }>;
  /** Resolves when Redis answers (PING); rejects otherwise. Without it Redis is taken to be up. */
  redisUp?: () => Promise<void>;
}

/**
 * Time bounds of a scrape. A Prometheus scrape must answer within its timeout (10 s by default,
 * often less) with what is known: while Redis is away the queue, overdue and log gauges stay
 * empty and `redis_up` is 0, instead of the scrape waiting for Redis to come back.
 */
export interface ScrapeBudget {
  /** How long the Redis PING may take before Redis counts as unreachable for this scrape. */
  probeMs: number;
  /** How long each Redis-backed source may take (they run in parallel). */
  sourceMs: number;
}

const DEFAULT_BUDGET: ScrapeBudget = { probeMs: 500, sourceMs: 1000 };

/** `p`, or a rejection after `ms`. The late settlement of `p` is swallowed (it is no longer awaited). */
function withinMs<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  p.catch(() => undefined);
  return Promise.race([
    p,
    new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`${what}: no answer within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Upper bounds of the answer-time histogram: 1 min … 30 days (the legal deadline is in hours/days). */
const ANSWER_BUCKETS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600, 2 * 86400, 3 * 86400, 5 * 86400, 7 * 86400, 14 * 86400, 30 * 86400];
const VERIFY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Label value for requests that matched no route (404, or refused by client authentication before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Prometheus metrics of one gateway process, on a registry of its own (never prom-client's global
 * default registry, so two gateways in one process — the tests — do not collide).
 *
 * No label ever carries personal data or an identifier of a case: routes are Express patterns
 * (`/v1/requests/:requestId`), banks are BICs from the participant registry, kinds and codes come
 * from closed lists.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly httpRequests: Counter<'route' | 'method' | 'status' | 'code'>;
  private readonly verification: Histogram<'kind'>;
  private readonly answer: Histogram<'bank'>;
  private readonly collectErrors: Counter<'source'>;
  private readonly byProcess: Counter<'pid'>;

  constructor(sources: MetricsSources = {}, budget: ScrapeBudget = DEFAULT_BUDGET) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by Express route pattern, method, status and problem code ("ok" when not refused)',
      labelNames: ['route', 'method', 'status', 'code'],
      registers,
    });
    this.verification = new Histogram({
      name: 'document_verification_seconds',
      help: 'Time to verify a signed document (CMS, certificate path, registry, JSON schema), refused ones included',
      labelNames: ['kind'],
      buckets: VERIFY_BUCKETS,
      registers,
    });
    this.answer = new Histogram({
      name: 'statement_answer_seconds',
      help: 'Time from delivery of a request to a bank to the bank\'s first statement (corrections not counted)',
      labelNames: ['bank'],
      buckets: ANSWER_BUCKETS,
      registers,
    });
    this.collectErrors = new Counter({
      name: 'metrics_collect_errors_total',
      help: 'Scrape-time sources that failed (the gauge is left empty for that scrape)',
      labelNames: ['source'],
      registers,
    });
    this.byProcess = new Counter({
      name: 'process_http_requests_total',
      help: 'HTTP requests answered by each gateway process (pid), to see the load spread over the processes of art50 serve',
      labelNames: ['pid'],
      registers,
    });
    const errors = this.collectErrors;
    // One PING per scrape, shared by the gauges prom-client collects in parallel.
    let probe: { at: number; up: Promise<boolean> } | undefined;
    const redisUp = (): Promise<boolean> => {
      if (!sources.redisUp) return Promise.resolve(true);
      const now = Date.now();
      if (!probe || now - probe.at > budget.probeMs) probe = { at: now, up: withinMs(sources.redisUp(), budget.probeMs, 'redis').then(() => true, () => false) };
      return probe.up;
    };
    /** A Redis-backed source, read within the budget; undefined when Redis is away or the source fails. */
    const read = async <T>(source: (() => Promise<T>) | undefined, name: string): Promise<T | undefined> => {
      if (!source || !(await redisUp())) return undefined;
      try {
        return await withinMs(source(), budget.sourceMs, name);
      } catch {
        errors.inc({ source: name });
        return undefined;
      }
    };
    new Gauge({
      name: 'redis_up',
      help: 'Whether Redis answered PING within the scrape budget (1) or not (0); queue, overdue and log gauges are empty while it is 0',
      registers,
      // Several processes (art50 serve with ART50_PROCESSES > 1) read the same Redis: a gauge of
      // Redis state is the same fact seen by each, never a sum; Redis counts as up only if all see it.
      aggregator: 'min',
      async collect() {
        this.set((await redisUp()) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'queue_depth',
      help: 'BullMQ jobs per queue and state, read at scrape time',
      labelNames: ['queue', 'state'],
      registers,
      aggregator: 'max',
      async collect() {
        this.reset();
        for (const [queue, counts] of Object.entries((await read(sources.queueCounts, 'queue_depth')) ?? {})) {
          for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
        }
      },
    });
    new Gauge({
      name: 'deliveries_overdue',
      help: 'Deliveries past their legal deadline and not yet answered, per bank BIC, read at scrape time',
      labelNames: ['bank'],
      registers,
      aggregator: 'max',
      async collect() {
        this.reset();
        for (const [bank, n] of Object.entries((await read(sources.overdueCounts, 'deliveries_overdue')) ?? {})) this.set({ bank }, n);
      },
    });
    const logSizes = (): Promise<{ sequenced: number; integrated: number } | undefined> => read(sources.logSizes, 'log');
    // The two log gauges differ only in which of the sizes they show.
    const logGauge = (name: string, help: string, pick: (s: { sequenced: number; integrated: number }) => number): void => {
      new Gauge({
        name,
        help,
        registers,
        aggregator: 'max',
        async collect() {
          this.reset();
          const s = await logSizes();
          if (s) this.set(pick(s));
          else this.remove({}); // an unlabelled gauge would otherwise show 0, which is not what is known
        },
      });
    };
    logGauge('log_entries', 'Entries sequenced in the transparency log', (s) => s.sequenced);
    logGauge('log_integrated_entries', 'Entries integrated into the Merkle tree (covered by proofs; a checkpoint may lag behind)', (s) => s.integrated);
  }

  /** One HTTP request answered. `route` must be a pattern, never a raw URL. */
  recordRequest(route: string, method: string, status: number, code: string): void {
    this.httpRequests.inc({ route, method, status: String(status), code });
    this.byProcess.inc({ pid: String(process.pid) });
  }

  observeVerification(kind: string, seconds: number): void {
    this.verification.observe({ kind }, seconds);
  }

  /** `bic` is the bank's BIC from the registry (not personal data). */
  observeAnswer(bic: string, seconds: number): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.answer.observe({ bank: bic }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * Times DocumentVerifier.open (synchronous) at the composition root, so the domain does not know
 * about metrics. Refusals are timed too: verification cost is spent either way.
 */
export function instrumentVerifier(verifier: DocumentVerifier, metrics: Pick<Metrics, 'observeVerification'>): DocumentVerifier {
  const open = verifier.open.bind(verifier);
  const timed: DocumentVerifier['open'] = (der, kind, onVerified) => {
    const started = process.hrtime.bigint();
    try {
      return open(der, kind, onVerified);
    } finally {
      metrics.observeVerification(kind, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  verifier.open = timed;
  // openFresh is open() after the signer's OCSP status was made fresh: its time includes the
  // responder's answer on a cache miss (once per certificate and nextUpdate period), which is
  // part of what verification costs the caller.
  const openFresh = verifier.openFresh.bind(verifier);
  const timedFresh: DocumentVerifier['openFresh'] = async (der, kind, onVerified) => {
    const started = process.hrtime.bigint();
    try {
      return await openFresh(der, kind, onVerified);
    } finally {
      metrics.observeVerification(kind, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  verifier.openFresh = timedFresh;
  return verifier;
}

/**
 * After a bank's first statement for a delivery is stored (201, not a correction), observes the
 * time from delivery to answer as stored on the delivery (answeredAt − deliveredAt).
 */
export function instrumentStatementAnswers(
  intake: StatementIntake,
  delivery: (requestId: string, bic: string) => Promise<{ deliveredAt?: string; answeredAt?: string } | undefined>,
  metrics: Pick<Metrics, 'observeAnswer'>,
  onError: (e: unknown) => void = () => undefined,
): StatementIntake {
  const submit = intake.submit.bind(intake);
  intake.submit = async (der, client) => {
    const out = await submit(der, client);
    const bic = client.participant.organisation.bic;
    if (out.outcome === 'stored' && !out.body.corrects && bic) {
      try {
        const d = await delivery(out.body.requestId, bic);
        if (d?.deliveredAt && d.answeredAt) metrics.observeAnswer(bic, (Date.parse(d.answeredAt) - Date.parse(d.deliveredAt)) / 1000);
      } catch (e) {
        onError(e);
      }
    }
    return out;
  };
  return intake;
}
