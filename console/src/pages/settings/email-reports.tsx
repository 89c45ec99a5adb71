// Placeholder until this tab is built.
export function EmailReports() {
  return (
    <section aria-labelledby="tab-title">
      <h2 id="tab-title">Email reports</h2>
      <p>This tab is being built.</p>
    </section>
  );
}
