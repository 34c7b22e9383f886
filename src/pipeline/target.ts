/**
 * Target resolution: which public model a call names and the targets (upstream + deployment) that can
 * serve it. Names are looked up in the `models` map first, then as deployment names, then as the public
 * model names and aliases of deployments (each of those is a model with a single target). Targets are
 * shared between models, so their health (breaker, cooldown, calls in flight) is too.
 */
import { ROUTING_DEFAULTS } from "../config/schema_routing.ts";
import type {
  Config,
  DeploymentConfig,
  RoutingConfig,
  RoutingStrategy,
  UpstreamConfig,
} from "../config/types.ts";
import { GatewayError } from "../core/errors.ts";
import type { InferenceRoute } from "../core/routes.ts";
import { Breaker } from "./breaker.ts";
import type { RetryPolicy } from "./retry.ts";

/** One upstream deployment a model can be served by. */
export interface Target {
  upstream: UpstreamConfig;
  deployment: DeploymentConfig;
  weight: number;
  priority: number;
  retry: RetryPolicy;
  /** Breaker, cooldown and calls in flight of this upstream deployment. */
  health: Breaker;
}

/** A public model and its targets. */
export interface ModelRoute {
  name: string;
  strategy: RoutingStrategy;
  targets: readonly Target[];
}

/** A public model as listed by `/v1/models`. */
export interface PublicModel {
  id: string;
  ownedBy: string;
}

/** Index of public models, deployments and their targets over the config. */
export class TargetIndex {
  readonly #mapped = new Map<string, ModelRoute>();
  readonly #byDeployment = new Map<string, ModelRoute>();
  readonly #byModel = new Map<string, ModelRoute>();
  readonly #targets = new Map<string, Target>();
  readonly #models: PublicModel[] = [];
  readonly #routing: RoutingConfig;

  /** Builds the index; names are unique (the config validator guarantees it). */
  constructor(config: Pick<Config, "upstreams" | "models" | "routing">) {
    this.#routing = config.routing ?? structuredClone(ROUTING_DEFAULTS);
    const upstreams = new Map(config.upstreams.map((u) => [u.name, u]));
    for (const m of config.models ?? []) {
      const targets = m.targets.flatMap((t) => {
        const upstream = upstreams.get(t.upstream);
        if (upstream === undefined) return [];
        const deployment = upstream.deployments.find((d) => d.name === t.deployment) ??
          { name: t.deployment, model: m.name, aliases: [] };
        return [{ ...this.#target(upstream, deployment), weight: t.weight, priority: t.priority }];
      });
      const route = { name: m.name, strategy: m.strategy, targets };
      for (const name of [m.name, ...m.aliases]) {
        this.#mapped.set(name, route);
        this.#models.push({ id: name, ownedBy: targets[0]?.upstream.name ?? "azmw" });
      }
    }
    for (const upstream of config.upstreams) {
      for (const deployment of upstream.deployments) {
        const target = this.#target(upstream, deployment);
        const single = (name: string): ModelRoute => ({ name, strategy: "priority", targets: [target] });
        this.#byDeployment.set(deployment.name, single(deployment.model));
        for (const name of [deployment.model, ...deployment.aliases]) {
          if (this.#byModel.has(name) || this.#mapped.has(name)) continue;
          this.#byModel.set(name, single(name));
          this.#models.push({ id: name, ownedBy: upstream.name });
        }
      }
    }
  }

  /** The shared target of an upstream deployment (weight 1, priority 0 until a model sets them). */
  #target(upstream: UpstreamConfig, deployment: DeploymentConfig): Target {
    const key = `${upstream.name}\u0000${deployment.name}`;
    let t = this.#targets.get(key);
    if (t === undefined) {
      const o = upstream.routing ?? {};
      const r = this.#routing;
      t = {
        upstream,
        deployment,
        weight: 1,
        priority: 0,
        retry: {
          retries: o.retries ?? r.retries,
          backoffMs: o.backoffMs ?? r.backoffMs,
          maxBackoffMs: o.maxBackoffMs ?? r.maxBackoffMs,
        },
        health: new Breaker({
          failures: o.breaker?.failures ?? r.breaker.failures,
          cooldownMs: o.breaker?.cooldownMs ?? r.breaker.cooldownMs,
        }),
      };
      this.#targets.set(key, t);
    }
    return t;
  }

  /** Public model names, in config order (`models` first). */
  get models(): readonly PublicModel[] {
    return this.#models;
  }

  /** Every distinct target, for health reports. */
  get targets(): Iterable<Target> {
    return this.#targets.values();
  }

  /** Resolves the model of an inference call or throws a 4xx `GatewayError`. */
  resolve(route: InferenceRoute, model: unknown): ModelRoute {
    if (route.style === "deployment") {
      const name = route.deployment ?? "";
      const found = this.#mapped.get(name) ?? this.#byDeployment.get(name);
      if (found) return found;
      throw new GatewayError(
        404,
        "DeploymentNotFound",
        `The API deployment "${route.deployment}" does not exist on this gateway`,
        { param: "deployment" },
      );
    }
    if (typeof model !== "string" || model === "") {
      throw new GatewayError(400, "missing_model", 'The request body must name a "model"', {
        param: "model",
      });
    }
    const found = this.#mapped.get(model) ?? this.#byDeployment.get(model) ?? this.#byModel.get(model);
    if (found) return found;
    throw new GatewayError(
      404,
      "model_not_found",
      `The model "${model}" does not exist or you do not have access to it`,
      { param: "model" },
    );
  }
}
