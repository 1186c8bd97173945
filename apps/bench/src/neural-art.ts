import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type { CellConfig } from '@lopt/cell';
import { LoptError } from '@lopt/core';
import type { Problem } from '@lopt/core';
import { NEURAL_ART_CONTENTS, NEURAL_ART_STYLES, encodeImagePng, neuralArtTask } from '@lopt/optimizees';
import type { NeuralArtProblem } from '@lopt/optimizees';
import { logGrid, problemVariables } from '@lopt/meta';

import { displayName } from './names.js';
import type { Artifact, ArtifactContext, ExperimentSpec, ScaleName, Suite, TrainingRecipe, TrainingSpec } from './suite-types.js';

/** The §3.4 settings of one suite. */
export interface NeuralArtScale {
  /** Side of the training images and of the 'neural-art-64' and 'neural-art-new-style' experiments. */
  readonly size: number;
  /** Side of the larger test images ('neural-art-128'): twice `size`, as in the paper. */
  readonly testSize: number;
  readonly steps: number;
  readonly unroll: number;
  readonly iterations: number;
  readonly validateEvery: number;
  readonly validationProblems: number;
  /** Held-out evaluation problems per experiment. */
  readonly problems: number;
  readonly tuningProblems: number;
  readonly grid: readonly number[];
  /** Meta learning rate at the start (default 0.01). */
  readonly learningRate?: number;
  readonly recipe?: TrainingRecipe;
}

/**
 * Learning-rate grids reach far up because plain SGD needs it here: the loss is a mean over
 * pixels and features, so each pixel's gradient is small (mean |g| ≈ 1e-2 at 32×32, 3e-3 at
 * 64×64, and ~4× smaller for each doubling of the side). Tuned on held-out problems here, the
 * best rates were SGD 10–32 and NAG 3–10 at 32×32 (64 steps), SGD 100 and NAG 32 at 64×64 (128
 * steps), RMSprop 0.01–0.03 and Adam 0.1–0.3 at both; 10× above SGD's best it diverged. Each
 * grid has at least half a decade of room on both sides of those rates at its sizes, and the
 * report marks any rate tuned at a grid edge.
 */
export const NEURAL_ART_SCALES: Readonly<Record<ScaleName, NeuralArtScale>> = {
  // CI: only the code paths (every experiment, the images, the report) in a few seconds.
  smoke: {
    size: 16,
    testSize: 32,
    steps: 8,
    unroll: 4,
    iterations: 1,
    validateEvery: 1,
    validationProblems: 1,
    problems: 1,
    tuningProblems: 1,
    grid: [1e-1, 10],
  },
  // Half the paper's side (32 px, tested at 64 px) and half its horizon (64 steps, four unrolls
  // of 16 like the paper's 128 in 32). Measured here (wasm, one core): 0.89 s per meta-iteration;
  // the whole quick run of the three experiments took 6.4 min (3.2 min meta-training, then 0.6,
  // 1.9 and 0.6 min of tuning and evaluation); validation was still creeping down at 200.
  quick: {
    size: 32,
    testSize: 64,
    steps: 64,
    unroll: 16,
    iterations: 200,
    validateEvery: 20,
    validationProblems: 2,
    problems: 10,
    tuningProblems: 3,
    grid: logGrid(-3, 3, 2),
  },
  // The paper: trained at 64×64 for 128 steps in unrolls of 32, tested at 64 and 128.
  full: {
    size: 64,
    testSize: 128,
    steps: 128,
    unroll: 32,
    iterations: 300,
    validateEvery: 25,
    validationProblems: 4,
    problems: 10,
    tuningProblems: 3,
    grid: logGrid(-3, 4, 2),
  },
};

/**
 * §3.4 as committed (issue 21, recipe B): the full suite's sizes (64×64 training, 128 steps in
 * unrolls of 32, tests at 64 and 128), 300 meta-iterations at meta-lr 0.01 decaying along a cosine
 * to 0.001, the meta-gradient clipped to norm 1, the meta-objective the sum of the log losses
 * (the sum of the losses is dominated by the first steps, where the losses are largest, and trained
 * an optimizer that ended level with tuned Adam), early-stopped on the mean log loss of 3 problems;
 * 2 tuning and 10 evaluation problems per experiment.
 */
export const NEURAL_ART_RECIPE: NeuralArtScale = {
  ...NEURAL_ART_SCALES.full,
  validateEvery: 20,
  validationProblems: 3,
  tuningProblems: 2,
  grid: logGrid(-3, 4, 2),
  learningRate: 0.01,
  recipe: { learningRateSchedule: 'cosine', finalLearningRate: 1e-3, clipNorm: 1, objective: 'log', validationMetric: 'log', checkpointEvery: 5 },
};

/** The named suite 'neural-art': §3.4 alone, with {@link NEURAL_ART_RECIPE}. */
export function neuralArtSuite(cell: Partial<CellConfig>): Suite {
  const { trainings, experiments } = neuralArtExperiments(NEURAL_ART_RECIPE, cell);
  return { name: 'neural-art', trainings, experiments, grid: NEURAL_ART_RECIPE.grid, tuningProblems: NEURAL_ART_RECIPE.tuningProblems };
}

/** The id of the §3.4 training, whose optimizer all three experiments compare. */
export const NEURAL_ART_TRAINING = 'neural-art';

/**
 * Paper §3.4, neural art: one learned optimizer meta-trained on the five shipped training scenes
 * with the training style (`brush`), early-stopped on held-out seeds of the same scenes, and three
 * experiments on the two held-out scenes (`contents: 'test'`), none of which training sees:
 * 'neural-art-64' (training style and size), 'neural-art-128' (twice the side) and
 * 'neural-art-new-style' (the held-out style `mosaic`). The ids name the full suite's sizes; the
 * titles say the sizes of the suite that ran. Each experiment also writes, for its first
 * evaluation problem, the content and style images and every optimizer's result
 * ({@link writeNeuralArtImages}).
 *
 * `cell` is the suites' paper cell (log-sign, p = 10, outputs × 0.1): with 30 meta-iterations at
 * 32×32, output scales 0.03 and 0.3 both validated worse than 0.1 (0.067 and 0.061 vs 0.057).
 */
export function neuralArtExperiments(
  scale: ScaleName | NeuralArtScale,
  cell: Partial<CellConfig>,
): { trainings: TrainingSpec[]; experiments: ExperimentSpec[] } {
  const s = typeof scale === 'string' ? NEURAL_ART_SCALES[scale] : scale;
  const train = NEURAL_ART_CONTENTS.train.join(', ');
  const test = NEURAL_ART_CONTENTS.test.join(', ');
  const training: TrainingSpec = {
    id: NEURAL_ART_TRAINING,
    description: `neural art ${px(s.size)}, the ${NEURAL_ART_CONTENTS.train.length} training scenes (${train}; seeded crops and flips), style \`${NEURAL_ART_STYLES.train}\`, ${s.steps} steps`,
    task: () => neuralArtTask({ size: s.size, contents: 'train', style: 'train' }),
    // Early stopping on validation seeds of the same scenes: the held-out scenes stay unseen.
    validationTask: () => neuralArtTask({ size: s.size, contents: 'train', style: 'train' }),
    cell,
    iterations: s.iterations,
    learningRate: s.learningRate ?? 0.01,
    steps: s.steps,
    unroll: s.unroll,
    validateEvery: s.validateEvery,
    validationProblems: s.validationProblems,
    ...(s.recipe === undefined ? {} : { recipe: s.recipe }),
  };
  const scenes = `held-out scenes (${test})`;
  const experiment = (
    id: string,
    size: number,
    style: 'train' | 'test',
    title: string,
    paper: string,
  ): ExperimentSpec => ({
    id,
    title,
    paper,
    learned: { lstm: NEURAL_ART_TRAINING },
    task: () => neuralArtTask({ size, contents: 'test', style }),
    steps: s.steps,
    problems: s.problems,
    grid: s.grid,
    tuningProblems: s.tuningProblems,
    artifacts: (ctx) => writeNeuralArtImages(ctx),
  });
  const changed =
    "The paper's Figure 10 (right) changes the resolution and the style together; this experiment changes only one of them.";
  return {
    trainings: [training],
    experiments: [
      experiment(
        'neural-art-64',
        s.size,
        'train',
        `Neural art ${px(s.size)} on ${scenes}, training style "${NEURAL_ART_STYLES.train}" (§3.4)`,
        'Figure 10 (left): on content images not used in training, with the training style at the training resolution (64×64), the LSTM optimizer beats all baselines.',
      ),
      experiment(
        'neural-art-128',
        s.testSize,
        'train',
        `Neural art ${px(s.testSize)} (trained at ${px(s.size)}) on ${scenes}, training style "${NEURAL_ART_STYLES.train}" (§3.4)`,
        `§3.4: the LSTM optimizer keeps performing well at double the training resolution (128×128, trained at 64×64). ${changed}`,
      ),
      experiment(
        'neural-art-new-style',
        s.size,
        'test',
        `Neural art ${px(s.size)} on ${scenes}, new style "${NEURAL_ART_STYLES.test}" not seen in training (§3.4)`,
        `§3.4: the LSTM optimizer keeps performing well with a style image it was not trained on. ${changed}`,
      ),
    ],
  };
}

function px(size: number): string {
  return `${size}×${size}`;
}

function isNeuralArtProblem(p: Problem): p is NeuralArtProblem {
  const q = p as Partial<NeuralArtProblem>;
  return typeof q.contentImage === 'function' && typeof q.styleImage === 'function';
}

/** The image `optimizer` leaves after `steps` steps from `problem.init()`, and its loss there. */
function optimizeImage(problem: NeuralArtProblem, optimizer: tf.Optimizer, steps: number): { image: tf.Tensor3D; loss: number } {
  // Named `group/index` like @lopt/meta's evaluate(), so a learned optimizer finds its cell.
  const vars = problemVariables(problem);
  try {
    for (let t = 0; t < steps; t++) optimizer.minimize(() => problem.loss(vars, t), true, vars)?.dispose();
    const last = problem.loss(vars, steps);
    const loss = last.dataSync()[0]!;
    last.dispose();
    return { image: tf.clone(vars[0]!) as tf.Tensor3D, loss };
  } finally {
    tf.dispose(vars);
  }
}

/** Images side by side, separated by white gaps of `gap` pixels. Does not dispose `images`. */
function montage(images: readonly tf.Tensor3D[], gap = 2): tf.Tensor3D {
  return tf.tidy(() => {
    const [height] = images[0]!.shape;
    const white = tf.ones([height, gap, 3]);
    return tf.concat3d(images.flatMap((im, i) => (i === 0 ? [im] : [white as tf.Tensor3D, im])), 1);
  });
}

/**
 * The §3.4 artifacts of an experiment: for its first evaluation problem, the content image, the
 * style image, the images the main learned optimizer and tuned Adam leave after `ctx.steps`
 * steps, and a montage of content | style | every optimizer's result (learned ones first, then
 * SGD, NAG, RMSprop, Adam), written below `ctx.outDir/<experiment id>/`. Each optimizer runs
 * from the same start as in the evaluation, so the losses in the captions are that problem's
 * final losses in the results. Frees every tensor it makes.
 */
export async function writeNeuralArtImages(ctx: ArtifactContext): Promise<Artifact[]> {
  const seed = ctx.seeds[0];
  if (seed === undefined) return [];
  const id = ctx.experiment.id;
  const file = (name: string): string => `${id}/${name}.png`;
  const problem = ctx.task.sample(seed);
  const owned: tf.Tensor[] = [];
  try {
    if (!isNeuralArtProblem(problem)) {
      throw new LoptError('INVALID_ARGUMENT', `Experiment ${id} writes neural-art images, but its task "${ctx.task.name}" is not the neural-art task.`, {
        hint: 'Use writeNeuralArtImages only as the artifacts of a neuralArtTask experiment.',
      });
    }
    const [size] = problem.paramShapes[0]!;
    const content = problem.contentImage();
    const style = problem.styleImage();
    owned.push(content, style);
    const artifacts: Artifact[] = [];
    await mkdir(join(ctx.outDir, id), { recursive: true });
    const write = async (image: tf.Tensor3D, name: string, caption: string): Promise<void> => {
      await writeFile(join(ctx.outDir, file(name)), encodeImagePng(image));
      artifacts.push({ path: file(name), caption });
    };
    await write(content, 'content', `Content image: ${basename(problem.contentPath)}${problem.crop.flip ? ' (flipped)' : ''} at ${px(size!)}, the first evaluation problem (seed ${seed}).`);
    await write(style, 'style', `Style image: ${'stylePath' in ctx.task ? `${basename(String(ctx.task.stylePath))} ` : ''}at ${px(size!)}.`);
    const keys = Object.keys(ctx.optimizers);
    const learnedKeys = Object.keys(ctx.learned);
    const results: { key: string; image: tf.Tensor3D; loss: number }[] = [];
    for (const key of keys) {
      const optimizer = ctx.optimizers[key]!(problem, ctx.steps);
      try {
        const r = optimizeImage(problem, optimizer, ctx.steps);
        owned.push(r.image);
        results.push({ key, ...r });
      } finally {
        optimizer.dispose();
      }
    }
    const lossText = (r: { key: string; loss: number }): string => `${displayName(r.key, learnedKeys)} ${r.loss.toPrecision(4)}`;
    for (const r of results.filter((x) => x.key === 'lstm' || x.key === 'adam')) {
      const who = r.key === 'lstm' ? 'The learned optimizer (LSTM)' : `Tuned Adam (learning rate ${ctx.tuning['adam']?.learningRate ?? '?'})`;
      await write(r.image, r.key, `${who} after ${ctx.steps} steps: loss ${r.loss.toPrecision(4)}.`);
    }
    const side = montage([content, style, ...results.map((r) => r.image)]);
    owned.push(side);
    await write(
      side,
      'montage',
      `Side by side: content | style | ${results.map((r) => displayName(r.key, learnedKeys)).join(' | ')}, after ${ctx.steps} steps (losses: ${results.map(lossText).join(', ')}).`,
    );
    ctx.log(`${id}: wrote ${artifacts.length} images to ${join(ctx.outDir, id)} (${results.map(lossText).join(', ')})`);
    return artifacts;
  } finally {
    tf.dispose(owned);
    problem.dispose();
  }
}
