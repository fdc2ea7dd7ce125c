/**
 * `npm run rebuild`: empty the ClickHouse read models and rebuild them by replaying
 * runs.events.v1 from the start. Stop the materializer (or `npm start`) first.
 */
import 'reflect-metadata';
import { loadMaterializerConfig } from '../apps/materializer/src/config/materializer.config';
import { rebuildReadModels } from '../apps/materializer/src/rebuild/rebuild';

rebuildReadModels(loadMaterializerConfig())
  .then((report) => console.log(JSON.stringify(report, null, 2)))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
