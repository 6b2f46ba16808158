'use client';

import type { Dispatch } from 'react';

import type { ModelType } from '@atelier/contracts';

import { MODEL_TYPES, type ModelAction, type ModelSettings, type Task, TASKS } from './model-settings';

interface Props {
  model: ModelSettings;
  dispatch: Dispatch<ModelAction>;
}

/** Model type, task, architecture and the tuning fields of the training form. */
export function ModelFields({ model, dispatch }: Props) {
  const info = MODEL_TYPES[model.modelType];
  return (
    <>
      <label className="field">
        <span>Model type</span>
        <select
          value={model.modelType}
          onChange={(e) => dispatch({ type: 'modelType', modelType: e.target.value as ModelType })}
          name="modelType"
        >
          {(Object.keys(MODEL_TYPES) as ModelType[]).map((type) => (
            <option key={type} value={type}>
              {MODEL_TYPES[type].label}
            </option>
          ))}
        </select>
      </label>
      {info.tasks.length > 1 ? <TaskField task={model.task} tasks={info.tasks} dispatch={dispatch} /> : null}
      {model.modelType === 'neural_network' ? (
        <label className="field">
          <span>Hidden layers</span>
          <input
            value={model.hiddenLayers}
            onChange={(e) => dispatch({ type: 'set', field: 'hiddenLayers', value: e.target.value })}
            name="hiddenLayers"
            spellCheck={false}
          />
          <small className="hint">Units per dense layer, comma-separated.</small>
        </label>
      ) : null}
      <TuningFields model={model} dispatch={dispatch} />
    </>
  );
}

function TaskField({ task, tasks, dispatch }: { task: Task; tasks: Task[]; dispatch: Dispatch<ModelAction> }) {
  return (
    <label className="field">
      <span>Task</span>
      <select value={task} onChange={(e) => dispatch({ type: 'set', field: 'task', value: e.target.value as Task })} name="task">
        {tasks.map((t) => (
          <option key={t} value={t}>
            {TASKS[t].label}
          </option>
        ))}
      </select>
    </label>
  );
}

function TuningFields({ model, dispatch }: Props) {
  const info = MODEL_TYPES[model.modelType];
  return (
    <div className="grid-2">
      <label className="field">
        <span>{info.rounds}</span>
        <input
          type="number"
          min={1}
          max={5000}
          step={1}
          value={model.rounds}
          onChange={(e) => dispatch({ type: 'set', field: 'rounds', value: e.target.value })}
          name="epochs"
        />
      </label>
      {info.learningRate === undefined ? null : (
        <label className="field">
          <span>Learning rate</span>
          <input
            type="number"
            min={0}
            step="any"
            value={model.learningRate}
            onChange={(e) => dispatch({ type: 'set', field: 'learningRate', value: e.target.value })}
            name="learningRate"
          />
        </label>
      )}
    </div>
  );
}
