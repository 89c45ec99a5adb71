// Placeholder until this tab is built.
export function AllowList() {
  return (
    <section aria-labelledby="tab-title">
      <h2 id="tab-title">Allow-list</h2>
      <p>This tab is being built.</p>
    </section>
  );
}
