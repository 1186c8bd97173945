import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { LoptError } from '@lopt/core';

import type { ArtFeatures, FeatureExtractor } from './feature-extractor.js';

/** A user's pretrained conv net as the neural-art feature extractor. */
export interface LayersFeatureExtractorOptions {
  /**
   * A TensorFlow.js LayersModel saved as `model.json` plus weight files (what
   * `model.save('file://dir')` writes, or `tensorflowjs_converter --output_format tfjs_layers_model`):
   * the path of `model.json` or of the directory holding it. Read from disk; nothing downloads.
   */
  readonly modelPath: string;
  /** Name of the layer whose output the content loss compares. */
  readonly contentLayer: string;
  /** Names of the layers whose outputs' Gram matrices the style loss compares (at least one). */
  readonly styleLayers: readonly string[];
  /**
   * The model's input range: pixels in [0, 1] are mapped linearly onto `[low, high]` before the
   * model sees them (default [0, 1]; e.g. [0, 255] for a Keras VGG with its preprocessing inside).
   */
  readonly inputRange?: readonly [number, number];
}

const HINT_SAVE = "Save the model with `await model.save('file:///path/to/dir')` (tfjs-layers) and pass that directory or its model.json.";

/** `snake_case` to `camelCase`, as tfjs-layers converts Keras configs. */
function toCamelCase(identifier: string): string {
  return identifier.length <= 1 || !identifier.includes('_') ? identifier : identifier.replace(/_+(\w|$)/g, (_, c: string) => c.toUpperCase());
}

/**
 * A Keras (Python-style) model config to the TypeScript style tfjs-layers' `fromConfig` reads:
 * the same conversion `tf.loadLayersModel` does (keys and string values to camelCase, except
 * `name` values and the layer names in `inbound_nodes`, `input_layers` and `output_layers`),
 * rewritten here because tfjs-layers does not export it and its loader is async.
 */
function pythonicToTs(value: unknown, key?: string): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return toCamelCase(value);
  if (Array.isArray(value)) {
    const isNameList = key === 'inboundNodes' || key === 'outputLayers' || key === 'inputLayers';
    return value.map((item, i) => (isNameList && i === 0 && typeof item === 'string' ? item : pythonicToTs(item, key)));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'name' && typeof v === 'string') out[k] = v;
    else {
      const tsKey = toCamelCase(k);
      out[tsKey] = pythonicToTs(v, tsKey);
    }
  }
  return out;
}

interface ModelJson {
  readonly format?: string;
  readonly modelTopology?: Record<string, unknown>;
  readonly weightsManifest?: readonly { readonly paths: readonly string[]; readonly weights: readonly tf.io.WeightsManifestEntry[] }[];
}

type SerializableFactory = [
  new (args: unknown) => unknown,
  (cls: unknown, config: unknown, customObjects?: unknown, fastWeightInit?: boolean) => unknown,
];

/** The classes tfjs-layers registered with tfjs-core's serialization map (empty if it is not loaded). */
function registeredClass(name: string): SerializableFactory | undefined {
  const map = tf.serialization.SerializationMap.getMap().classNameMap as unknown as Record<string, SerializableFactory>;
  return Object.hasOwn(map, name) ? map[name] : undefined;
}

/**
 * Loads a LayersModel from `model.json` and its weight files synchronously, so a task can be built
 * synchronously (`tf.loadLayersModel` is async). Uses the classes that `@tensorflow/tfjs-layers`
 * registers with tfjs-core; lopt's backends import it, otherwise the caller must. The caller owns
 * the model (`model.dispose()`).
 *
 * Throws DATA_NOT_FOUND (no model.json or a missing weight file), DATA_CORRUPT (not a layers model,
 * or weights that do not fit the topology), UNSUPPORTED (tfjs-layers not loaded, or a graph model).
 */
export function loadLayersModelSync(modelPath: string): LayersModel {
  const jsonPath = existsSync(modelPath) && statSync(modelPath).isDirectory() ? join(modelPath, 'model.json') : modelPath;
  if (!existsSync(jsonPath)) {
    throw new LoptError('DATA_NOT_FOUND', `No TensorFlow.js model at ${jsonPath} (expected a model.json, or a directory holding one).`, {
      hint: `Check featureExtractor.modelPath. ${HINT_SAVE}`,
    });
  }
  let artifacts: ModelJson;
  try {
    artifacts = JSON.parse(readFileSync(jsonPath, 'utf8')) as ModelJson;
  } catch (cause) {
    throw new LoptError('DATA_CORRUPT', `${jsonPath} is not valid JSON (${(cause as Error).message}).`, { hint: HINT_SAVE, cause });
  }
  if (artifacts.format === 'graph-model') {
    throw new LoptError('UNSUPPORTED', `${jsonPath} is a tfjs graph model; the neural-art feature extractor needs a layers model.`, {
      hint: 'Convert the Keras model with `tensorflowjs_converter --input_format keras --output_format tfjs_layers_model`.',
    });
  }
  let topology = artifacts.modelTopology;
  if (topology !== undefined && topology['model_config'] != null) topology = topology['model_config'] as Record<string, unknown>;
  const config = (topology === undefined ? undefined : pythonicToTs(topology)) as { className?: string; config?: unknown } | undefined;
  if (config === undefined || typeof config.className !== 'string' || config.config == null) {
    throw new LoptError('DATA_CORRUPT', `${jsonPath} has no model topology (modelTopology.class_name and .config).`, { hint: HINT_SAVE });
  }
  if (registeredClass('Sequential') === undefined) {
    throw new LoptError('UNSUPPORTED', 'Loading a LayersModel needs @tensorflow/tfjs-layers, which is not loaded.', {
      hint: "Select a backend through lopt first (await useBackend(...) from @lopt/backends), or import '@tensorflow/tfjs-layers' once at start.",
    });
  }
  const factory = registeredClass(config.className);
  if (factory === undefined) {
    throw new LoptError('DATA_CORRUPT', `${jsonPath} is a "${config.className}", which is not a tfjs-layers model class.`, { hint: HINT_SAVE });
  }

  // Read every weight file before building anything, so a missing file leaves no tensors behind.
  const dir = dirname(jsonPath);
  const buffers: ArrayBuffer[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const group of artifacts.weightsManifest ?? []) {
    for (const p of group.paths) {
      const file = join(dir, p);
      if (!existsSync(file)) {
        throw new LoptError('DATA_NOT_FOUND', `Weight file ${file} (listed in ${jsonPath}) does not exist.`, {
          hint: 'Copy every file model.save wrote (model.json and its .bin files) into the same directory.',
        });
      }
      const bytes = readFileSync(file);
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
    specs.push(...group.weights);
  }

  let model: LayersModel | undefined;
  let decoded: tf.NamedTensorMap = {};
  try {
    const [cls, fromConfig] = factory;
    model = fromConfig(cls, config.config, {}, false) as LayersModel;
    decoded = tf.io.decodeWeights(buffers, specs);
    const byName: tf.NamedTensorMap = {};
    for (const w of model.weights) byName[w.originalName] = decoded[w.originalName]!;
    model.loadWeights(byName);
    return model;
  } catch (cause) {
    model?.dispose();
    if (cause instanceof LoptError) throw cause;
    throw new LoptError('DATA_CORRUPT', `Could not build the model in ${jsonPath}: ${(cause as Error).message}`, { hint: HINT_SAVE, cause });
  } finally {
    tf.dispose(Object.values(decoded));
  }
}

/**
 * A neural-art feature extractor from a user's LayersModel (see
 * {@link LayersFeatureExtractorOptions}), for images of `size × size`. The model is loaded now, so
 * a bad path, layer name or input shape fails here, with a LoptError naming the fix:
 * DATA_NOT_FOUND / DATA_CORRUPT / UNSUPPORTED from {@link loadLayersModelSync}; INVALID_ARGUMENT for
 * a layer name the model does not have (listing the names it has) or an empty `styleLayers`;
 * SHAPE_MISMATCH unless the model takes one `[batch, height, width, 3]` input accepting
 * `size × size`. The caller owns the extractor (`dispose` frees the model).
 */
export function layersFeatureExtractor(options: LayersFeatureExtractorOptions, size: number): FeatureExtractor {
  const { modelPath, contentLayer, styleLayers } = options;
  const [low, high] = options.inputRange ?? [0, 1];
  if (typeof modelPath !== 'string' || modelPath.length === 0) {
    throw new LoptError('INVALID_ARGUMENT', 'neural-art featureExtractor.modelPath must be a non-empty string.', { hint: HINT_SAVE });
  }
  if (typeof contentLayer !== 'string' || !Array.isArray(styleLayers) || styleLayers.length === 0 || !styleLayers.every((s) => typeof s === 'string')) {
    throw new LoptError('INVALID_ARGUMENT', 'neural-art featureExtractor needs contentLayer (a layer name) and styleLayers (a non-empty array of layer names).', {
      hint: 'E.g. { "modelPath": "vgg/model.json", "contentLayer": "block4_conv2", "styleLayers": ["block1_conv1", "block2_conv1", "block3_conv1"] }.',
    });
  }
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(high > low)) {
    throw new LoptError('INVALID_ARGUMENT', `neural-art featureExtractor.inputRange must be [low, high] with low < high, got [${String(low)}, ${String(high)}].`);
  }
  const model = loadLayersModelSync(modelPath);
  try {
    const names = model.layers.map((l) => l.name);
    const unknown = [contentLayer, ...styleLayers].filter((n) => !names.includes(n));
    if (unknown.length > 0) {
      throw new LoptError('INVALID_ARGUMENT', `The model at ${modelPath} has no layer named ${unknown.map((n) => `"${n}"`).join(', ')}.`, {
        hint: `Use names from its layers: ${names.join(', ')}.`,
      });
    }
    const inputShape = model.inputs.length === 1 ? model.inputs[0]!.shape : undefined;
    const fits =
      inputShape !== undefined &&
      inputShape.length === 4 &&
      inputShape[3] === 3 &&
      (inputShape[1] == null || inputShape[1] === size) &&
      (inputShape[2] == null || inputShape[2] === size);
    if (!fits) {
      const shapes = model.inputs.map((i) => `[${i.shape.map((d) => d ?? 'null').join(', ')}]`).join(', ');
      throw new LoptError('SHAPE_MISMATCH', `The model at ${modelPath} takes input ${shapes}; neural art needs one RGB image input accepting [1, ${size}, ${size}, 3].`, {
        hint: `Give the model an input of shape [null, null, 3] (any size) or [${size}, ${size}, 3], or set the task's size to the model's input size.`,
      });
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  // execute() fills only the first of repeated names, so ask for each layer once.
  const layerNames = [...new Set([contentLayer, ...styleLayers])];
  const outputNames = layerNames.map((n) => {
    const out = model.getLayer(n).output;
    return (Array.isArray(out) ? out[0]! : out).name;
  });
  let disposed = false;
  return {
    description: `features of the LayersModel ${modelPath} (content ${contentLayer}; style ${styleLayers.join(', ')})`,
    features(image: tf.Tensor4D): ArtFeatures {
      const input = low === 0 && high === 1 ? image : tf.add(tf.mul(image, high - low), low);
      // execute() runs the layers in inference mode and can return inner layers' outputs.
      const outputs = model.execute(input, outputNames) as tf.Tensor[];
      const of = (name: string): tf.Tensor => outputs[layerNames.indexOf(name)]!;
      return { content: of(contentLayer), style: styleLayers.map(of) };
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}
