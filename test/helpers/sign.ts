/**
 * Valid signature headers for each scheme, produced by the providers' own libraries so tests
 * check Sidehook against the senders rather than against itself. Header names are lower-cased,
 * as verifySignature expects and as Fastify's inject accepts.
 */
import { createHmac } from 'node:crypto'
import { sign as githubSign } from '@octokit/webhooks-methods'
import { Webhook } from 'standardwebhooks'
import Stripe from 'stripe'

export type SignedHeaders = Record<string, string>

/** A Standard Webhooks secret in the usual `whsec_<base64>` form (the Svix docs' example). */
export const STANDARD_WEBHOOKS_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

/** `Stripe-Signature` from stripe-node; `now` defaults to the real clock as Stripe's would. */
export function stripeHeaders (body: string, secret: string, now: Date = new Date()): SignedHeaders {
  const timestamp = Math.floor(now.getTime() / 1000)
  return { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }) }
}

/**
 * `X-Hub-Signature-256` from @octokit/webhooks-methods. That library refuses an empty payload,
 * which GitHub never sends; use hmacHeaders for that edge.
 */
export async function githubHeaders (body: string, secret: string): Promise<SignedHeaders> {
  return { 'x-hub-signature-256': await githubSign(secret, body) }
}

/**
 * `X-Shopify-Hmac-Sha256`. There is no Shopify signing library among the dependencies, so this
 * is Shopify's documented recipe (base64 HMAC-SHA256 of the raw body) done with node:crypto.
 */
export function shopifyHeaders (body: string | Buffer, secret: string): SignedHeaders {
  return { 'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64') }
}

export interface StandardWebhooksOptions {
  readonly id?: string
  readonly now?: Date
  /** `svix` sends the same values under svix-* names. */
  readonly prefix?: 'webhook' | 'svix'
}

/** `webhook-id`, `webhook-timestamp` and `webhook-signature` from the standardwebhooks package. */
export function standardWebhooksHeaders (body: string | Buffer, secret: string = STANDARD_WEBHOOKS_SECRET, options: StandardWebhooksOptions = {}): SignedHeaders {
  const { id = 'msg_2b3kZ1fYJ4nQ8sW', now = new Date(), prefix = 'webhook' } = options
  const timestamp = Math.floor(now.getTime() / 1000)
  return {
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(timestamp),
    [`${prefix}-signature`]: new Webhook(secret).sign(id, now, body)
  }
}

export interface HmacHeaderOptions {
  readonly header: string
  readonly algorithm: 'sha1' | 'sha256' | 'sha512'
  readonly encoding: 'hex' | 'base64'
  readonly prefix?: string
}

/** The generic `hmac` scheme: one header carrying an HMAC of the raw body. */
export function hmacHeaders (body: string | Buffer, secret: string, options: HmacHeaderOptions): SignedHeaders {
  const digest = createHmac(options.algorithm, secret).update(body).digest(options.encoding)
  return { [options.header.toLowerCase()]: `${options.prefix ?? ''}${digest}` }
}
