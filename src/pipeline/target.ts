/**
 * Target selection: which upstream and deployment serves a call, from the deployment named in the path
 * or the `model` in the body (deployment name first, then public model name, then alias).
 */
import type { Config, DeploymentConfig, UpstreamConfig } from "../config/types.ts";
import { GatewayError } from "../server/errors.ts";
import type { InferenceRoute } from "../server/routes.ts";

/** The upstream and deployment chosen for a call. */
export interface Target {
  upstream: UpstreamConfig;
  deployment: DeploymentConfig;
}

/** A public model as listed by `/v1/models`. */
export interface PublicModel {
  id: string;
  ownedBy: string;
}

/** Index of deployments and public model names over the configured upstreams. */
export class TargetIndex {
  readonly #byDeployment = new Map<string, Target>();
  readonly #byModel = new Map<string, Target>();
  readonly #models: PublicModel[] = [];

  /** Builds the index; names are unique (the config validator guarantees it). */
  constructor(config: Pick<Config, "upstreams">) {
    for (const upstream of config.upstreams) {
      for (const deployment of upstream.deployments) {
        const target = { upstream, deployment };
        this.#byDeployment.set(deployment.name, target);
        for (const name of [deployment.model, ...deployment.aliases]) {
          if (!this.#byModel.has(name)) {
            this.#byModel.set(name, target);
            this.#models.push({ id: name, ownedBy: upstream.name });
          }
        }
      }
    }
  }

  /** Public model names, in config order. */
  get models(): readonly PublicModel[] {
    return this.#models;
  }

  /** Resolves the target of an inference call or throws a 4xx `GatewayError`. */
  resolve(route: InferenceRoute, model: unknown): Target {
    if (route.style === "deployment") {
      const target = this.#byDeployment.get(route.deployment ?? "");
      if (target) return target;
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
    const target = this.#byDeployment.get(model) ?? this.#byModel.get(model);
    if (target) return target;
    throw new GatewayError(
      404,
      "model_not_found",
      `The model "${model}" does not exist or you do not have access to it`,
      { param: "model" },
    );
  }
}
