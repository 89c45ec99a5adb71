// Placeholder until this tab is built.
export function ApiKeys() {
  return (
    <section aria-labelledby="tab-title">
      <h2 id="tab-title">API keys</h2>
      <p>This tab is being built.</p>
    </section>
  );
}
