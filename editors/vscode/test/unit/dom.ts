/** A jsdom window with DOMPurify bound to it, for rendering tests. */
import createDOMPurify, { type DOMPurify } from "dompurify";
import { JSDOM } from "jsdom";

export interface TestDom {
  window: JSDOM["window"];
  document: Document;
  purify: DOMPurify;
}

export function testDom(html = "<!DOCTYPE html><body></body>"): TestDom {
  const dom = new JSDOM(html);
  const purify = createDOMPurify(dom.window as unknown as Window & typeof globalThis);
  return { window: dom.window, document: dom.window.document, purify };
}
