namespace Ingestion.Cli.Hosting;

/// <summary>
/// The operators' dashboard: one static page that polls the run management API (/api/runs) and shows each
/// run's status, phase, file and resource counts. Counts and codes only: the API carries no patient data.
/// </summary>
internal static class Dashboard
{
    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Ingestion runs</title>
        <style>
          body { font: 14px system-ui, sans-serif; margin: 2rem; color: #222; }
          table { border-collapse: collapse; width: 100%; }
          th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #ddd; }
          th { background: #f4f4f4; }
          .Completed { color: #1a7f37; } .Failed { color: #cf222e; } .Running, .Pending { color: #9a6700; } .Canceled, .Terminated { color: #57606a; }
          #error { color: #cf222e; }
        </style>
        </head>
        <body>
        <h1>Ingestion runs</h1>
        <p>Refreshes every 5 seconds. <span id="updated"></span> <span id="error"></span></p>
        <table>
          <thead><tr><th>Run</th><th>Status</th><th>Phase</th><th>Files done / failed / total</th><th>Resources read</th><th>Quarantined</th><th>Unmapped rows</th><th>Created</th><th>Updated</th></tr></thead>
          <tbody id="runs"></tbody>
        </table>
        <script>
        const cell = v => { const td = document.createElement('td'); td.textContent = v ?? ''; return td; };
        async function refresh() {
          try {
            const response = await fetch('runs');
            if (!response.ok) throw new Error('HTTP ' + response.status);
            const runs = await response.json();
            runs.sort((a, b) => (b.createdTime || '').localeCompare(a.createdTime || ''));
            const body = document.getElementById('runs');
            body.replaceChildren(...runs.map(r => {
              const c = r.customStatus || {};
              const tr = document.createElement('tr');
              const link = document.createElement('a');
              link.href = 'runs/' + encodeURIComponent(r.instanceId) + '?showHistory=true';
              link.textContent = r.instanceId;
              const id = document.createElement('td'); id.appendChild(link); tr.appendChild(id);
              const status = cell(r.runtimeStatus); status.className = r.runtimeStatus; tr.appendChild(status);
              tr.append(cell(c.phase), cell(`${c.filesDone ?? 0} / ${c.filesFailed ?? 0} / ${c.filesTotal ?? 0}`),
                        cell(c.resourcesRead), cell(c.resourcesQuarantined), cell(c.unmappedRows), cell(r.createdTime), cell(r.lastUpdatedTime));
              return tr;
            }));
            document.getElementById('updated').textContent = 'Updated ' + new Date().toLocaleTimeString() + '.';
            document.getElementById('error').textContent = '';
          } catch (e) {
            document.getElementById('error').textContent = 'Cannot reach the run API: ' + e.message;
          }
        }
        refresh();
        setInterval(refresh, 5000);
        </script>
        </body>
        </html>
        """;
}
