// Placeholder until this tab is built.
export function Secrets() {
  return (
    <section aria-labelledby="tab-title">
      <h2 id="tab-title">Secrets</h2>
      <p>This tab is being built.</p>
    </section>
  );
}
