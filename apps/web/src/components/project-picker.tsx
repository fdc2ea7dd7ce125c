import { FormEvent, useEffect, useState } from 'react';
import { Link, useLocation, useRoute } from 'wouter';
import { useEltRun, useProjects } from '../api/queries';
import { routeParam } from '../lib/route-param';

/** The project in the URL (or of the run shown), switchable: from the projects with recent runs, or typed. */
export function ProjectPicker() {
  const [, params] = useRoute<{ project: string; rest?: string }>('/projects/:project/:rest?');
  const [, runParams] = useRoute<{ runId: string }>('/runs/:runId');
  const runId = runParams ? routeParam(runParams.runId) : '';
  // The run page's own query (same key): no second request.
  const run = useEltRun(runId, false, runId !== '');
  const [, navigate] = useLocation();
  const projects = useProjects();
  const current = params?.project ? routeParam(params.project) : runId ? (run.data?.projectId ?? '') : '';
  const [value, setValue] = useState(current);
  useEffect(() => setValue(current), [current]);
  const section = params?.rest ?? 'runs';

  const go = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) navigate(`/projects/${encodeURIComponent(value.trim())}/${section}`);
  };

  return (
    <div className="project-nav">
      <form onSubmit={go} className="picker" role="search">
        <label htmlFor="project-picker">Project</label>
        <input
          id="project-picker"
          list="project-list"
          value={value}
          onChange={(event) => setValue(event.target.value)}
          placeholder="project id"
          autoComplete="off"
        />
        <datalist id="project-list">
          {projects.data?.sourceSystems.map((project) => (
            <option key={project.sourceSystem} value={project.sourceSystem} />
          ))}
        </datalist>
        <button type="submit">Open</button>
      </form>
      {current && (
        <nav aria-label="Project">
          {(['runs', 'health', 'jobs'] as const).map((page) => (
            <Link
              key={page}
              href={`/projects/${encodeURIComponent(current)}/${page}`}
              className={section === page ? 'active' : ''}
              aria-current={section === page ? 'page' : undefined}
            >
              {page === 'runs' ? 'Runs' : page === 'health' ? 'Health' : 'Jobs'}
            </Link>
          ))}
        </nav>
      )}
    </div>
  );
}
