import { randomBytes, randomUUID } from 'node:crypto';

/** Incident ids are short enough to say on a call: INC-7F3A9C21. */
export function newIncidentId(): string {
  return `INC-${randomBytes(4).toString('hex').toUpperCase()}`;
}

/** Proposal ids travel in button values; unguessable so a forged click cannot name one. */
export function newProposalId(): string {
  return randomUUID();
}
