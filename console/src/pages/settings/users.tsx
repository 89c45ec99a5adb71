// Placeholder until this tab is built.
export function Users() {
  return (
    <section aria-labelledby="tab-title">
      <h2 id="tab-title">Users</h2>
      <p>This tab is being built.</p>
    </section>
  );
}
