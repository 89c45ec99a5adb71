// A section not built yet, and the page for an unknown address.
export function Later({ title, text }: { title: string; text: string }) {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {title}
      </h1>
      <p>{text}</p>
    </section>
  );
}
