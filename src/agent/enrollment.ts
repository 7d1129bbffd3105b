/** Which policy service this device is enrolled with: enrollment.json in the state directory (private, atomic). */
import { join } from 'node:path';
import { z } from 'zod';
import { AgentError } from '../shared/errors.js';
import { readPrivateFile, writePrivateFile } from '../shared/private-file.js';

export const ENROLLMENT_FILE = 'enrollment.json';

const enrollmentSchema = z.strictObject({
  server: z.url(),
  deviceId: z.string().min(1),
  kid: z.string().min(1),
  enrolledAt: z.iso.datetime(),
});

export type Enrollment = z.infer<typeof enrollmentSchema>;

export async function readEnrollment(stateDir: string): Promise<Enrollment | null> {
  const path = join(stateDir, ENROLLMENT_FILE);
  const bytes = await readPrivateFile(path, 'enrolment file');
  if (bytes === null) return null;
  let parsed: z.ZodSafeParseResult<Enrollment>;
  try {
    parsed = enrollmentSchema.safeParse(JSON.parse(bytes.toString('utf8')));
  } catch {
    parsed = { success: false } as z.ZodSafeParseResult<Enrollment>;
  }
  if (!parsed.success) {
    throw new AgentError('ERR_NOT_ENROLLED', `The enrolment record ${path} is damaged and was not used; enrol again with "posture-agent enroll --server URL --token TOKEN".`);
  }
  return parsed.data;
}

export async function requireEnrollment(stateDir: string): Promise<Enrollment> {
  const enrollment = await readEnrollment(stateDir);
  if (!enrollment) throw new AgentError('ERR_NOT_ENROLLED', 'This device is not enrolled yet: run "posture-agent enroll --server URL --token TOKEN" first.');
  return enrollment;
}

export async function writeEnrollment(stateDir: string, enrollment: Enrollment): Promise<void> {
  await writePrivateFile(join(stateDir, ENROLLMENT_FILE), `${JSON.stringify(enrollment, null, 2)}\n`);
}
