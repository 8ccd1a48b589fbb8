import { UserError } from "@mle/core";

/** A request for something that is not there: an unknown model, user or movie (HTTP 404). */
export class NotFound extends UserError {}
