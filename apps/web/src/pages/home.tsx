import { Link } from 'wouter';
import { useProjects } from '../api/queries';
import { count, percent } from '../lib/format';
import { Empty, ErrorState, Loading } from '../components/states';

/** The organisation's projects with runs in the last 30 days, and where to go from there. */
export function HomePage() {
  const projects = useProjects();
  return (
    <section>
      <h1>Projects</h1>
      {projects.isPending ? (
        <Loading what="projects" />
      ) : projects.isError ? (
        <ErrorState error={projects.error} what="projects" retry={() => void projects.refetch()} />
      ) : (
        <>
          <div className="strip" aria-label="Organisation, last 30 days">
            <Stat label="Runs (30 days)" value={count(projects.data.summary.total)} />
            <Stat label="Success rate (of runs ended)" value={percent(projects.data.summary.terminal ? projects.data.summary.successRate : null)} />
            <Stat label="In progress" value={count(projects.data.summary.inProgress)} />
            <Stat label="Failed" value={count(projects.data.summary.failed)} />
          </div>
          {projects.data.sourceSystems.length === 0 ? (
            <Empty title="No runs in the last 30 days">
              <p>Type a project id in the picker above to open its runs, or report a run through the write API.</p>
            </Empty>
          ) : (
            <table>
              <caption>Projects with runs in the last 30 days, most runs first</caption>
              <thead>
                <tr>
                  <th scope="col">Project</th>
                  <th scope="col" className="num">
                    Runs
                  </th>
                  <th scope="col" className="num">
                    Failed
                  </th>
                  <th scope="col" className="num">
                    Success rate
                  </th>
                  <th scope="col">Pages</th>
                </tr>
              </thead>
              <tbody>
                {projects.data.sourceSystems.map((project) => {
                  const id = encodeURIComponent(project.sourceSystem);
                  // As the organisation's rate: succeeded over runs ended (succeeded, failed or error, cancelled).
                  const ended = project.succeeded + project.failed + project.cancelled;
                  return (
                    <tr key={project.sourceSystem}>
                      <th scope="row">
                        <Link href={`/projects/${id}/runs`}>{project.sourceSystem}</Link>
                      </th>
                      <td className="num">{count(project.total)}</td>
                      <td className="num">{count(project.failed)}</td>
                      <td className="num">{percent(ended ? project.succeeded / ended : null)}</td>
                      <td className="links">
                        <Link href={`/projects/${id}/health`}>Health</Link> <Link href={`/projects/${id}/jobs`}>Jobs</Link>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

export function Stat({ label, value, tone }: { label: string; value: string; tone?: 'good' | 'bad' }) {
  return (
    <div className={`stat ${tone ?? ''}`}>
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}
