/** The body of a "send test event" request: the same envelope as an outcome's, with no run. */
export function testWebhookBody(projectId: string, job: { id: string; name: string }, at: Date): string {
  return JSON.stringify({
    type: 'webhook.test',
    timestamp: at.toISOString(),
    data: { event: 'test', project_id: projectId, job, message: 'A test event from Runstream: your endpoint received it and can verify its signature.' },
  });
}
