import { BadRequestException } from '@nestjs/common';
import type { RunRow } from '@runstream/clickhouse';
import type { RunEventEnvelope } from '@runstream/events';
import type { Caller } from '@runstream/http';
import type { EventWriter } from '../events/event-writer';
import type { CreateRunDto } from './dto/create-run.dto';
import type { RunDirectory } from './run-directory';
import type { RunLocks } from './run-locks';
import { gatewayRunIdFor, RunService } from './run.service';
import type { TextScrubber } from './text-scrubber';

const CALLER = { orgId: 'acme', gateway: 'kubernetes', tokenId: 'tok_1', kind: 'gateway' } as Caller;
const DTO: CreateRunDto = { projectId: 'analytics', jobId: 'job_1', jobName: 'analytics-nightly-29412345', triggeredBy: 'scheduled' };

/** RunService over a writer that records what it would append and a read model holding `rows`. */
function service(rows: RunRow[] = []): { runs: RunService; written: RunEventEnvelope[] } {
  const written: RunEventEnvelope[] = [];
  const writer = {
    write: async <T>(events: RunEventEnvelope[], _body: object, answer: () => T): Promise<T> => {
      written.push(...events);
      return answer();
    },
  } as unknown as EventWriter;
  const directory = {
    remember: () => undefined,
    existing: async (orgId: string, runId: string) => rows.find((row) => row.org_id === orgId && row.id === runId),
  } as unknown as RunDirectory;
  return { runs: new RunService(writer, directory, {} as RunLocks, {} as TextScrubber), written };
}

describe("a gateway's own runs (POST /api/agent/runs)", () => {
  it('derive their id from the organisation, the gateway and the key, so each names one run', () => {
    const id = gatewayRunIdFor('acme', 'kubernetes', 'k8s/runstream-acme/job-1');
    expect(id).toMatch(/^run_[0-9a-f]{32}$/);
    expect(gatewayRunIdFor('acme', 'kubernetes', 'k8s/runstream-acme/job-1')).toBe(id);
    expect(
      new Set([
        id,
        gatewayRunIdFor('globex', 'kubernetes', 'k8s/runstream-acme/job-1'),
        gatewayRunIdFor('acme', 'gw-1', 'k8s/runstream-acme/job-1'),
        gatewayRunIdFor('acme', 'kubernetes', 'k8s/runstream-acme/job-2'),
      ]).size,
    ).toBe(4);
  });

  it("are targeted at the caller's gateway, and refuse to name another", async () => {
    const { runs, written } = service();
    const created = await runs.createForGateway(DTO, CALLER, 'key-1');
    expect(created).toMatchObject({
      id: gatewayRunIdFor('acme', 'kubernetes', 'key-1'),
      targetGateway: 'kubernetes',
      status: 'pending',
      triggeredBy: 'scheduled',
    });
    expect(written.map((event) => [event.type, event.run_id, (event.payload as { target_gateway: string }).target_gateway])).toEqual([
      ['run.created', created.id, 'kubernetes'],
    ]);

    const refused = runs.createForGateway({ ...DTO, targetGateway: 'gw-1' }, CALLER, 'key-2');
    await expect(refused).rejects.toBeInstanceOf(BadRequestException);
    await expect(refused).rejects.toMatchObject({ response: { errors: [{ field: 'targetGateway' }] } });
    expect(await runs.createForGateway({ ...DTO, targetGateway: 'kubernetes' }, CALLER, 'key-3')).toMatchObject({ targetGateway: 'kubernetes' });
  });

  it('answer a run already announced under the key as it is now, without announcing it again', async () => {
    const id = gatewayRunIdFor('acme', 'kubernetes', 'key-1');
    const row = { id, org_id: 'acme', project_id: 'analytics', job_id: 'job_1', job_name: DTO.jobName, cronjob_name: 'nightly', namespace: 'runstream-acme' };
    const { runs, written } = service([
      { ...row, job_type: 'run', triggered_by: 'scheduled', target_gateway: 'kubernetes', status: 'running', created_at: '2026-11-27 08:00:00.000' } as RunRow,
    ]);
    expect(await runs.createForGateway(DTO, CALLER, 'key-1')).toEqual({
      id,
      projectId: 'analytics',
      jobId: 'job_1',
      jobName: DTO.jobName,
      cronjobName: 'nightly',
      namespace: 'runstream-acme',
      jobType: 'run',
      triggeredBy: 'scheduled',
      targetGateway: 'kubernetes',
      status: 'running',
      createdAt: '2026-11-27T08:00:00.000Z',
    });
    expect(written).toEqual([]);
  });

  it('without a key, are new runs every time', async () => {
    const { runs } = service();
    const [a, b] = [await runs.createForGateway(DTO, CALLER, undefined), await runs.createForGateway(DTO, CALLER, undefined)];
    expect(a.id).not.toBe(b.id);
    expect(a.targetGateway).toBe('kubernetes');
  });
});
