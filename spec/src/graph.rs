//! The workflow as a petgraph graph, and the analyses built on it.

use std::collections::HashSet;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, Reversed, Walker};

use crate::model::{StateId, TransitionId, Workflow};

/// The states as nodes and one edge per (transition, source, target).
///
/// Node `i` is state `StateId(i)`; each edge carries the transition it comes from.
#[derive(Debug, Clone)]
pub struct Graph {
    graph: DiGraph<StateId, TransitionId>,
    initial: StateId,
    finals: Vec<StateId>,
}

impl Graph {
    /// Builds the graph of `workflow`.
    pub fn new(workflow: &Workflow) -> Self {
        let mut graph = DiGraph::with_capacity(workflow.states.len(), workflow.transitions.len());
        for i in 0..workflow.states.len() {
            graph.add_node(StateId(i));
        }
        for (i, t) in workflow.transitions.iter().enumerate() {
            for from in &t.from {
                for to in &t.to {
                    graph.add_edge(
                        NodeIndex::new(from.0),
                        NodeIndex::new(to.0),
                        TransitionId(i),
                    );
                }
            }
        }
        let finals = (0..workflow.states.len())
            .map(StateId)
            .filter(|s| workflow.state(*s).is_final)
            .collect();
        Graph {
            graph,
            initial: workflow.initial,
            finals,
        }
    }

    /// The underlying petgraph graph.
    pub fn petgraph(&self) -> &DiGraph<StateId, TransitionId> {
        &self.graph
    }

    /// States reachable from the initial state (itself included).
    pub fn reachable_from_initial(&self) -> HashSet<StateId> {
        Dfs::new(&self.graph, NodeIndex::new(self.initial.0))
            .iter(&self.graph)
            .map(|n| self.graph[n])
            .collect()
    }

    /// States from which some final state can be reached (the finals included).
    pub fn can_reach_final(&self) -> HashSet<StateId> {
        let reversed = Reversed(&self.graph);
        let mut out = HashSet::new();
        let mut dfs = Dfs::empty(reversed);
        for f in &self.finals {
            dfs.move_to(NodeIndex::new(f.0));
            while let Some(n) = dfs.next(reversed) {
                out.insert(self.graph[n]);
            }
        }
        out
    }
}
