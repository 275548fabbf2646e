import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: what goes in a cookie or a share link. */
export const newToken = () => randomBytes(32).toString('base64url');

/** Only this digest is stored, so a database leak yields no usable token. */
export const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');
