const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text for HTML, XHTML and XML (attribute values included): the one escaper every template uses.
 * @example escapeXml('<a & "b">') // '&lt;a &amp; &quot;b&quot;&gt;'
 */
export const escapeXml = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
