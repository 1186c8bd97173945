/** Total number of scalar parameters (coordinates) for a list of parameter shapes. */
export function countParams(shapes: readonly (readonly number[])[]): number {
  return shapes.reduce((total, shape) => total + shape.reduce((a, b) => a * b, 1), 0);
}
