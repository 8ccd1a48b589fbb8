import { UserError } from "@mle/core";
import { NotFound } from "../errors.ts";
import { openModel, type OpenedModel, type OpenOptions } from "../open.ts";

/** A served model: its name, where it was loaded from, and the opened model. */
export interface ServedModel {
  name: string;
  path: string;
  opened: OpenedModel;
}

/**
 * The models a service answers from, by name. `swap` opens the new model fully before it replaces the old
 * entry: a request holds the model it looked up, so requests in flight finish on the old one and none fails.
 */
export class ModelRegistry {
  private readonly models = new Map<string, ServedModel>();

  constructor(private readonly options: OpenOptions = {}) {}

  async load(name: string, path: string): Promise<ServedModel> {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new UserError(`model name "${name}" may hold only letters, digits, ".", "_" and "-"`);
    const served = { name, path, opened: await openModel(path, this.options) };
    this.models.set(name, served);
    return served;
  }

  /** The named model, or the first loaded when no name is given. */
  get(name?: string): ServedModel {
    const m = name === undefined ? this.models.values().next().value : this.models.get(name);
    if (!m) throw new NotFound(name === undefined ? "no model is served" : `no model named "${name}" is served (served: ${[...this.models.keys()].join(", ") || "none"})`);
    return m;
  }

  list(): ServedModel[] {
    return [...this.models.values()];
  }
}
