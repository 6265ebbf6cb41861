// apimachinery's field.Path (k8s.io/apimachinery/pkg/util/validation/field/path.go, vendored by
// kubernetes/kops @268927e, Apache-2.0, Copyright The Kubernetes Authors): kops's validation
// reports every error at one, and its `String()` is the text kops prints.
import type { PathSegment } from '../../paths/parse.js';

/** One step: a field name, or a subscript (`.Index(i)` or `.Key(k)`). */
type Step = { name: string } | { index: number } | { key: string };

/** An immutable, parent-linked field path, as Go's `*field.Path`. */
export class FieldPath {
  private constructor(
    private readonly parent: FieldPath | undefined,
    private readonly step: Step,
  ) {}

  /** `field.NewPath(name, more...)`. */
  static of(name: string, ...more: string[]): FieldPath {
    return new FieldPath(undefined, { name }).child(...more);
  }

  /** `.Child(name, more...)`. */
  child(...names: string[]): FieldPath {
    return names.reduce<FieldPath>((path, name) => new FieldPath(path, { name }), this);
  }

  /** `.Index(i)`: renders `[i]`. */
  index(i: number): FieldPath {
    return new FieldPath(this, { index: i });
  }

  /** `.Key(k)`: renders `[k]`, the key as written. */
  key(k: string): FieldPath {
    return new FieldPath(this, { key: k });
  }

  /** `.Root()`. */
  root(): FieldPath {
    return this.parent === undefined ? this : this.parent.root();
  }

  private steps(): Step[] {
    return this.parent === undefined ? [this.step] : [...this.parent.steps(), this.step];
  }

  /** Exactly Go's `String()`: `spec.etcdClusters[main].etcdMembers[0].name`. */
  toString(): string {
    let text = '';
    this.steps().forEach((step, i) => {
      if ('name' in step) text += (i > 0 && step.name !== '' ? '.' : '') + step.name;
      else text += `[${'index' in step ? step.index : step.key}]`;
    });
    return text;
  }

  /** The path as segments (map keys as fields, as a JSON Pointer addresses them). */
  segments(): PathSegment[] {
    return this.steps().map((step): PathSegment => {
      if ('name' in step) return { kind: 'field', name: step.name };
      if ('index' in step) return { kind: 'index', index: step.index };
      return { kind: 'field', name: step.key };
    });
  }
}
