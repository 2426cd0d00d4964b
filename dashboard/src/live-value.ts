import { h, setText } from './dom.ts';
import { formatAge } from './format.ts';
import { t } from './i18n.ts';
import type { LiveObject } from './live-state.ts';

/**
 * One live value on screen: the number, its age ("12 s ago"), and a stale look (dimmed, struck through, the word
 * "stale") when the gateway marks its object stale, so an old number is never read as a current one.
 */
export class LiveValue {
  readonly element: HTMLElement;
  private readonly number: HTMLElement;
  private readonly age: HTMLElement;
  private readonly note: HTMLElement;
  private at: number | null = null;
  private stale = false;

  constructor(
    readonly testId: string,
    private readonly format: (value: unknown, object: LiveObject) => string,
    private readonly field: string,
    private readonly caption?: (value: unknown) => string,
  ) {
    this.number = h('span', { class: 'num' }, '–');
    this.note = h('span', { class: 'note' });
    this.age = h('span', { class: 'age' });
    this.element = h('div', { class: 'live-value', 'data-value': testId }, this.number, this.note, this.age);
  }

  update(object: LiveObject | undefined): void {
    const stamped = object?.fields.get(this.field);
    const value = stamped?.value ?? null;
    setText(this.number, object && value !== null ? this.format(value, object) : '–');
    setText(this.note, this.caption && value !== null ? this.caption(value) : '');
    this.at = stamped?.at ?? object?.updatedAt ?? null;
    this.stale = !object || object.stale;
    this.element.classList.toggle('stale', this.stale);
    this.element.dataset.at = this.at === null ? '' : String(this.at);
    this.tick(Date.now());
  }

  /** Called every second: the age grows while nothing new arrives. */
  tick(now: number): void {
    const age = this.at === null ? t('never') : formatAge(now - this.at);
    setText(this.age, this.stale ? `${t('stale')} · ${age}` : age);
  }
}
