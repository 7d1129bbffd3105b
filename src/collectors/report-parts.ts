/** Bounded building blocks of the report's schemas: strings of at most 2048 characters, lists of at most 64 items. */
import { z } from 'zod';

export const text = z.string().max(2048);
export const nullableText = text.nullable();
export const nullableBoolean = z.boolean().nullable();
export const list = <T extends z.ZodType>(item: T) => z.array(item).max(64);
