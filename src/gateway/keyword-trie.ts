// A trie over a fixed set of keywords, flattened into one typed array: following a character is
// one load from a row of that array, where a trie of Map objects costs a hash lookup and several
// dependent pointer loads per character. On a stream's first read every one of those is a cache
// miss (the holdback's keyword search ran at 50-90 µs on a 95-character answer with Maps; see
// bench:gateway-steps), so fewer and denser loads are what makes it cheap.
//
// A walk is carried in a step's return value (an "entry"): 0 when no keyword continues that
// way, else the reached node's row, shifted left twice, with two flags: ENDS when a keyword ends
// there, BRANCHES when some keyword goes on from there.
//
// Keywords are stored folded; the text is walked as it is, each unit folded by the same table
// lookup that finds its column, so no folded copy of the text is made (folding a string costs
// ~20 µs cold, more than the walk).

/** Flag of an entry: a keyword ends at the node reached. */
export const ENDS = 1;
/** Flag of an entry: the node reached is a proper prefix of some keyword. */
export const BRANCHES = 2;

export class KeywordTrie<T> {
  /**
   * Text unit -> the column of its folded form; 0 for units that fold to no keyword unit. Rows
   * hold one column per distinct keyword unit, column 0 standing for every other unit.
   */
  readonly #column = new Uint8Array(0x10000);
  readonly #stride: number;
  /** Row-major, one row per node (the root's first): each cell is the entry its column leads to. */
  readonly #next: Int32Array;
  /** Per node (row / stride) where a keyword ends: that keyword's value. */
  readonly #values: Array<T | undefined>;

  /** `keywords` are folded already; `fold` maps a text unit to its folded unit. */
  constructor(keywords: ReadonlyMap<string, T>, fold: (unit: number) => number) {
    const columnOfUnit = new Map<number, number>();
    for (const keyword of keywords.keys()) {
      for (let i = 0; i < keyword.length; i++) {
        const unit = keyword.charCodeAt(i);
        if (!columnOfUnit.has(unit)) columnOfUnit.set(unit, columnOfUnit.size + 1);
      }
    }
    const columns = columnOfUnit.size + 1;
    if (columns > 0xff) throw new Error("keyword alphabet too large for the holdback trie");
    for (let code = 0; code < 0x10000; code++) this.#column[code] = columnOfUnit.get(fold(code)) ?? 0;
    // Children by node, in a first pass; nodes are then numbered breadth-first, so the shallow
    // rows every walk starts in sit together.
    const children: Array<Map<number, number>> = [new Map()];
    const valueOf: Array<T | undefined> = [undefined];
    for (const [keyword, value] of keywords) {
      let node = 0;
      for (let i = 0; i < keyword.length; i++) {
        const column = columnOfUnit.get(keyword.charCodeAt(i)) as number;
        let child = (children[node] as Map<number, number>).get(column);
        if (child === undefined) {
          child = children.length;
          children.push(new Map());
          valueOf.push(undefined);
          (children[node] as Map<number, number>).set(column, child);
        }
        node = child;
      }
      valueOf[node] = value;
    }
    const order = [0];
    for (let head = 0; head < order.length; head++) for (const child of (children[order[head] as number] as Map<number, number>).values()) order.push(child);
    const rank = new Int32Array(order.length);
    order.forEach((node, index) => (rank[node] = index));
    this.#stride = columns;
    if (order.length * columns * 4 > 0x7fffffff) throw new Error("too many keywords for the holdback trie");
    this.#next = new Int32Array(order.length * columns);
    this.#values = new Array(order.length);
    order.forEach((node, index) => {
      this.#values[index] = valueOf[node];
      for (const [column, child] of children[node] as Map<number, number>) {
        const flags = (valueOf[child] !== undefined ? ENDS : 0) | ((children[child] as Map<number, number>).size > 0 ? BRANCHES : 0);
        this.#next[index * columns + column] = (((rank[child] as number) * columns) << 2) | flags;
      }
    });
  }

  /** Follows text unit `unit` (folded here) from the node `entry` reached (0: the root); 0 when no keyword goes that way. */
  step(entry: number, unit: number): number {
    const column = this.#column[unit] as number;
    return column === 0 ? 0 : (this.#next[(entry >> 2) + column] as number);
  }

  /** The value of the keyword that ends at the node `entry` reached (its ENDS flag is set). */
  value(entry: number): T {
    return this.#values[(entry >> 2) / this.#stride] as T;
  }
}
