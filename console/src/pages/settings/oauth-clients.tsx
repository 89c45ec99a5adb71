// Placeholder until this tab is built.
export function OAuthClients() {
  return (
    <section aria-labelledby="tab-title">
      <h2 id="tab-title">OAuth clients</h2>
      <p>This tab is being built.</p>
    </section>
  );
}
