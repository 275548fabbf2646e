// Input schemas shared by the API and the UI forms (one source of truth for validation).
import { z } from 'zod';
import { roleSchema } from './roles.ts';

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email({ message: 'Enter a valid email address' })).pipe(z.string().max(254));
export const passwordSchema = z.string().min(10, 'Use at least 10 characters').max(200, 'Use at most 200 characters');
export const nameSchema = z.string().trim().min(1, 'Enter a name').max(100);

export const setupInput = z.object({ email: emailSchema, name: nameSchema, password: passwordSchema });
export const loginInput = z.object({ email: emailSchema, password: z.string().min(1, 'Enter your password').max(200) });
export const createUserInput = z.object({ email: emailSchema, name: nameSchema, password: passwordSchema, role: roleSchema.default('member') });
export const changePasswordInput = z.object({ currentPassword: z.string().min(1, 'Enter your current password').max(200), newPassword: passwordSchema });
/** newToken(): 32 random bytes, base64url. */
export const resetPasswordInput = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'This reset link is incomplete; copy the whole link.'), password: passwordSchema });
