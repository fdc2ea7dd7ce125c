import { apiStatus, type CoreV1Api } from './kubernetes.client';
import { LABEL, MANAGED_BY } from './cronjob-manifest';

/** Creates an organisation's namespace the first time one of its objects needs it. */
export class NamespaceEnsurer {
  constructor(private readonly core: CoreV1Api) {}

  async ensure(name: string): Promise<void> {
    try {
      await this.core.readNamespace({ name });
      return;
    } catch (error) {
      if (apiStatus(error) !== 404) throw error;
    }
    try {
      await this.core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [LABEL.managedBy]: MANAGED_BY } } } });
    } catch (error) {
      if (apiStatus(error) !== 409) throw error;
    }
  }
}
