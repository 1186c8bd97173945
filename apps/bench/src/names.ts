const NAMES: Readonly<Record<string, string>> = {
  lstm: 'LSTM (learned)',
  'lstm-sub': 'LSTM-sub (held-out labels)',
  sgd: 'SGD',
  nag: 'NAG',
  rmsprop: 'RMSprop',
  adam: 'Adam',
};

/** How an optimizer's key is shown in plots and tables; other learned optimizers get "(learned)". */
export function displayName(key: string, learnedKeys: readonly string[] = ['lstm']): string {
  return NAMES[key] ?? (learnedKeys.includes(key) ? `${key} (learned)` : key);
}
