// How a refused share link reaches a caller: an ended link (revoked, expired) answers 410 Gone,
// which tRPC has no code for, so the error carries this cause and http.ts sets the status.
import type { TRPCError } from '@trpc/server';
import type { LinkRefusal } from '../share/links.ts';

export class LinkGoneError extends Error {
  override name = 'LinkGoneError';
}

export const shareRefusalCodes: Record<LinkRefusal['reason'], TRPCError['code']> = {
  unknown: 'NOT_FOUND', gone: 'NOT_FOUND', 'sign-in': 'UNAUTHORIZED', forbidden: 'FORBIDDEN',
};

/** 410 when any error of a response is an ended link (http.ts passes this as tRPC's responseMeta). */
export const goneStatus = ({ errors }: { errors: TRPCError[] }) =>
  errors.length > 0 && errors.every((e) => e.cause instanceof LinkGoneError) ? { status: 410 } : {};
